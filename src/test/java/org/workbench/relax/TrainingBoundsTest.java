package org.workbench.relax;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.workbench.net.Network;
import org.workbench.net.TorchNet;
import org.workbench.problem.Norm;
import org.workbench.problem.Objective;
import org.workbench.problem.Threat;
import org.workbench.solve.Batch;
import org.workbench.solve.Bound;
import org.workbench.solve.SolverContext;
import org.workbench.testing.RandomNets;

/**
 * The bounds certified training differentiates (float32, autograd) are the ibp, crown-ibp and crown solvers' (float64),
 * within 1e-4.
 */
class TrainingBoundsTest {

    @Test
    void trainingTimeIbpEqualsTheVerifiersIbp() {
        Random r = new Random(8);
        try (NDManager m = NDManager.newBaseManager()) {
            for (int trial = 0; trial < 20; trial++) {
                Network net = trial % 2 == 0 ? RandomNets.mlp(r, 1, 6, 5) : RandomNets.cnn(r, 1, 7, 5);
                double eps = 0.02 + 0.1 * r.nextDouble();
                Threat threat = new Threat(Norm.LINF, List.of(eps), true, 0, 1);
                int b = 4, d = net.inputSize();
                double[][] x = new double[b][];
                int[] y = new int[b], ids = new int[b];
                for (int i = 0; i < b; i++) {
                    x[i] = RandomNets.input(r, d);
                    y[i] = r.nextInt(net.numClasses());
                    ids[i] = i;
                }
                List<Bound> ibp, crownIbp, crown;
                try (SolverContext ctx = new SolverContext(net, threat, Objective.crossEntropy())) {
                    ibp = new Ibp("ibp", ctx).solve(new Batch(ids, x, y), eps);
                    crownIbp = new CrownIbp("crown-ibp", ctx).solve(new Batch(ids, x, y), eps);
                    crown = new Crown("crown", ctx, 64).solve(new Batch(ids, x, y), eps);
                }
                try (TorchNet t = new TorchNet(net, m, DataType.FLOAT32); NDManager sm = m.newSubManager()) {
                    float[] lo = new float[b * d], hi = new float[b * d];
                    for (int i = 0; i < b; i++)
                        for (int k = 0; k < d; k++) {
                            lo[i * d + k] = (float) threat.lower(x[i][k], eps);
                            hi[i * d + k] = (float) threat.upper(x[i][k], eps);
                        }
                    NDArray l = sm.create(lo, t.batchShape(b)), h = sm.create(hi, t.batchShape(b));
                    same(ibp, TrainingBounds.ibpMargins(t, l, h, y).toFloatArray(), y, net.numClasses(), "ibp, trial " + trial);
                    same(crownIbp, TrainingBounds.crownIbpMargins(t, l, h, y).toFloatArray(), y, net.numClasses(), "crown-ibp, trial " + trial);
                    same(crown, TrainingBounds.crownMargins(t, l, h, y).toFloatArray(), y, net.numClasses(), "crown, trial " + trial);
                }
            }
        }
    }

    private static void same(List<Bound> verifier, float[] train, int[] y, int c, String what) {
        for (int i = 0; i < y.length; i++)
            for (int j = 0; j < c; j++) {
                double want = j == y[i] ? 0 : verifier.get(i).margins()[j];
                assertEquals(want, train[i * c + j], 1e-4 * (1 + Math.abs(want)), what + " sample " + i + " class " + j);
            }
    }
}
