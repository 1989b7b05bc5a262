package org.workbench.relax;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.workbench.net.TorchNet;

/**
 * Bounds for the exact solvers and the verifier, over explicit input boxes: every layer's input bounds (what
 * the MIP's big-M constants come from) and upper bounds of linear functions of the outputs.
 */
public final class NeuronBounds {
    private NeuronBounds() {}

    /** Method of the neuron bounds: interval propagation, or CROWN back-substitution at every ReLU input. */
    public enum Method { IBP, CROWN }

    /** lo.get(v), hi.get(v): bounds of the network's value v (flat; in a chain, layer v's input); index layers().size() holds the outputs. */
    public record Layers(List<double[]> lo, List<double[]> hi) {}

    /** Neuron bounds of one input box. */
    public static Layers of(TorchNet net64, double[] inLo, double[] inHi, Method method) {
        try (NDManager m = net64.manager().newSubManager()) {
            Region region = Region.boxes(m, new double[][] {inLo}, new double[][] {inHi}, net64.batchShape(1).getShape());
            Propagation prop = new Propagation(net64);
            List<NDArray[]> b = method == Method.CROWN ? prop.crown(region, m, 512) : prop.interval(region);
            List<double[]> lo = new ArrayList<>(), hi = new ArrayList<>();
            for (NDArray[] x : b) {
                lo.add(x[0].toDoubleArray());
                hi.add(x[1].toDoubleArray());
            }
            return new Layers(lo, hi);
        }
    }

    /**
     * Per box i and spec row r, an upper bound of max over the box of rows[r]·output (CROWN, all boxes in one
     * batch): out[i][r].
     */
    public static double[][] upper(TorchNet net64, double[][] lo, double[][] hi, double[][] rows, Method method) {
        return upperAndCoefficients(net64, lo, hi, rows, method, null);
    }

    private static void split(List<NDArray[]> bounds, Layers[] layers) {
        int b = layers.length;
        List<List<double[]>> los = new ArrayList<>(), his = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            los.add(new ArrayList<>());
            his.add(new ArrayList<>());
        }
        for (NDArray[] x : bounds) {
            double[] l = x[0].toDoubleArray(), h = x[1].toDoubleArray();
            int size = l.length / b;
            for (int i = 0; i < b; i++) {
                los.get(i).add(java.util.Arrays.copyOfRange(l, i * size, (i + 1) * size));
                his.get(i).add(java.util.Arrays.copyOfRange(h, i * size, (i + 1) * size));
            }
        }
        for (int i = 0; i < b; i++) layers[i] = new Layers(los.get(i), his.get(i));
    }

    private static void countUnstable(TorchNet net64, List<NDArray[]> bounds, int[] unstable) {
        java.util.Arrays.fill(unstable, 0);
        List<org.workbench.net.Layer> layers = net64.network().layers();
        for (int k = 0; k < layers.size(); k++) {
            if (!(layers.get(k) instanceof org.workbench.net.Relu)) continue;
            NDArray[] b = bounds.get(net64.network().inputs().get(k)[0]);
            NDArray straddle = b[0].lt(0).logicalAnd(b[1].gt(0)).toType(ai.djl.ndarray.types.DataType.INT32, false);
            NDArray perBox = straddle.reshape(unstable.length, -1).sum(new int[] {1});
            long[] c = perBox.toLongArray();
            for (int i = 0; i < unstable.length; i++) unstable[i] += c[i];
        }
    }

    /**
     * As {@link #upper}; with CROWN, also fills {@code coefficients[i]} (length rows × inputs, row-major) with the
     * input coefficients a of each row's linear bound rows[r]·output <= a·x + c, valid over box i: what input
     * splitting chooses its split from and clips the box with.
     */
    public static double[][] upperAndCoefficients(TorchNet net64, double[][] lo, double[][] hi, double[][] rows, Method method,
                                                  double[][] coefficients) {
        return upperAndCoefficients(net64, lo, hi, rows, method, coefficients, null);
    }

    /** As above; with CROWN, also fills {@code unstable[i]} (when not null) with box i's count of ReLUs whose input bounds straddle 0. */
    public static double[][] upperAndCoefficients(TorchNet net64, double[][] lo, double[][] hi, double[][] rows, Method method,
                                                  double[][] coefficients, int[] unstable) {
        return upperAndCoefficients(net64, lo, hi, rows, method, coefficients, unstable, null);
    }

    /** As above; also fills {@code layers[i]} (when not null) with box i's neuron bounds, as {@link #of} gives them. */
    public static double[][] upperAndCoefficients(TorchNet net64, double[][] lo, double[][] hi, double[][] rows, Method method,
                                                  double[][] coefficients, int[] unstable, Layers[] layers) {
        int b = lo.length, s = rows.length, classes = rows[0].length;
        try (NDManager m = net64.manager().newSubManager()) {
            Region region = Region.boxes(m, lo, hi, net64.batchShape(b).getShape());
            Propagation prop = new Propagation(net64);
            double[] spec = new double[b * s * classes];
            for (int i = 0; i < b; i++)
                for (int r = 0; r < s; r++) System.arraycopy(rows[r], 0, spec, (i * s + r) * classes, classes);
            NDArray lambda = m.create(spec, new ai.djl.ndarray.types.Shape(b, s, classes));
            double[] up;
            if (method == Method.CROWN) {
                List<NDArray[]> bounds = prop.crown(region, m, 512);
                NDArray[] r = prop.upperWithInput(lambda, prop.size(), bounds, region, null);
                if (unstable != null) countUnstable(net64, bounds, unstable);
                if (layers != null) split(bounds, layers);
                up = r[0].toDoubleArray();
                if (coefficients != null) {
                    int d = lo[0].length;
                    double[] w = r[1].toDoubleArray();
                    for (int i = 0; i < b; i++) coefficients[i] = java.util.Arrays.copyOfRange(w, i * s * d, (i + 1) * s * d);
                }
            } else {
                NDArray[] out = prop.interval(region).get(prop.size());
                up = Region.concretizeBox(lambda, out[0], out[1]).toDoubleArray();
            }
            double[][] res = new double[b][s];
            for (int i = 0; i < b; i++) System.arraycopy(up, i * s, res[i], 0, s);
            return res;
        }
    }
}
