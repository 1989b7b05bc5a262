package org.workbench.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.workbench.testing.RandomNets;

/** Input gradients through DJL agree with float64 central finite differences, on random nets of every layer type. */
class GradientTest {

    @Test
    void inputGradientMatchesFiniteDifferences() {
        Random r = new Random(11);
        try (NDManager m = NDManager.newBaseManager()) {
            for (int trial = 0; trial < 30; trial++) {
                // Residual networks too: their stem convolution's input gradient comes from its transpose (TorchNet).
                Network net = switch (trial % 3) {
                    case 0 -> RandomNets.mlp(r, 1 + r.nextInt(2), 5, 4);
                    case 1 -> RandomNets.cnn(r, 1 + r.nextInt(2), 7, 4);
                    default -> RandomNets.residual(r, 1 + r.nextInt(2), 5, 4);
                };
                int n = net.inputSize(), classes = net.numClasses();
                double[] x = new double[n];
                for (int k = 0; k < n; k++) x[k] = r.nextDouble();
                double[] c = RandomNets.gaussian(r, classes, 1);
                try (TorchNet t = new TorchNet(net, m, DataType.FLOAT64)) {
                    NDArray xa = m.create(x, t.batchShape(1));
                    NDArray coef = m.create(c).reshape(1, classes);
                    boolean ce = trial / 3 % 2 == 0;
                    NDArray hot = m.create(new int[] {trial % classes}).oneHot(classes).toType(DataType.FLOAT64, false);
                    double[] g = t.inputGradient(xa, z -> ce ? z.logSoftmax(1).mul(hot).sum().neg() : z.mul(coef).sum()).gradient().toDoubleArray();
                    double h = 1e-6;
                    for (int probe = 0; probe < 12; probe++) {
                        int k = r.nextInt(n);
                        double[] xp = x.clone(), xm = x.clone();
                        xp[k] += h;
                        xm[k] -= h;
                        double fd = (objective(t, xp, c, ce, trial % classes) - objective(t, xm, c, ce, trial % classes)) / (2 * h);
                        assertEquals(fd, g[k], 1e-6 * (1 + Math.abs(fd)), "trial " + trial + " coordinate " + k);
                    }
                }
            }
        }
    }

    /**
     * The float32 input gradient of the shipped CNN, whose convolutions (16 and 32 channels, a batch of 8) run on
     * libtorch's operator (the second one's input gradient is oneDNN's backward, the first one's the transpose of
     * Conv2d), against the float64 gradient of the same network (which never reaches oneDNN, and is checked against
     * finite differences above) on the same inputs.
     */
    @Test
    void float32GradientThroughAFirstTorchConvolutionMatchesFloat64() {
        Random r = new Random(5);
        Network net = ModelFiles.load(java.nio.file.Path.of("models/cnn.yaml"));
        int b = 8, n = net.inputSize();
        double[] x = new double[b * n];
        for (int k = 0; k < x.length; k++) x[k] = r.nextDouble();
        try (NDManager m = NDManager.newBaseManager();
             TorchNet t64 = new TorchNet(net, m, DataType.FLOAT64);
             TorchNet t32 = new TorchNet(net, m, DataType.FLOAT32)) {
            NDArray hot = m.create(new int[] {0, 1, 2, 3, 4, 5, 6, 7}).oneHot(net.numClasses()).toType(DataType.FLOAT64, false);
            NDArray x64 = m.create(x, t64.batchShape(b));
            double[] ref = t64.inputGradient(x64, z -> z.logSoftmax(1).mul(hot).sum().neg()).gradient().toDoubleArray();
            NDArray hot32 = hot.toType(DataType.FLOAT32, false);
            double[] g = t32.inputGradient(x64.toType(DataType.FLOAT32, false), z -> z.logSoftmax(1).mul(hot32).sum().neg())
                    .gradient().toType(DataType.FLOAT64, false).toDoubleArray();
            double scale = 0;
            for (double v : ref) scale = Math.max(scale, Math.abs(v));
            for (int k = 0; k < ref.length; k++) assertEquals(ref[k], g[k], 1e-4 * scale, "value " + k);
        }
    }

    private static double objective(TorchNet t, double[] x, double[] c, boolean ce, int y) {
        double[] z = t.logits(new double[][] {x})[0];
        if (!ce) {
            double s = 0;
            for (int j = 0; j < z.length; j++) s += c[j] * z[j];
            return s;
        }
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (double v : z) max = Math.max(max, v);
        for (double v : z) sum += Math.exp(v - max);
        return -(z[y] - max - Math.log(sum));
    }
}
