package org.workbench.relax;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.workbench.net.Layer;
import org.workbench.net.Relu;
import org.workbench.net.TorchNet;

/**
 * Bound propagation through a network in float64, using each layer's own interval and linear-bound rules.
 * {@code bounds.get(i)} holds {lo, hi} of the input of layer i (batch first).
 */
final class Propagation {
    private final TorchNet net;
    private final List<Layer> layers;

    Propagation(TorchNet net64) {
        this.net = net64;
        this.layers = net64.network().layers();
    }

    int size() {
        return layers.size();
    }

    /** Interval bounds of every layer's input, and of the output at index size(). */
    List<NDArray[]> interval(Region region) {
        List<NDArray[]> out = new ArrayList<>();
        NDArray[] b = {region.lo(), region.hi()};
        out.add(b);
        for (int i = 0; i < layers.size(); i++) {
            b = layers.get(i).interval(b[0], b[1], net.params().get(i));
            out.add(b);
        }
        return out;
    }

    /**
     * An upper bound on lambda·(output of layer k-1) over the region, by back-substitution through layers k-1..0.
     * {@code slopes.get(i)} (may be null or hold nulls) gives ReLU layer i's lower slopes.
     */
    NDArray upper(NDArray lambda, int k, List<NDArray[]> bounds, Region region, List<NDArray> slopes) {
        NDArray offset = null;
        for (int i = k - 1; i >= 0; i--) {
            NDArray slope = slopes == null ? null : slopes.get(i);
            NDArray[] r = layers.get(i).backward(lambda, net.params().get(i), bounds.get(i)[0], bounds.get(i)[1], slope);
            lambda = r[0];
            offset = offset == null ? r[1] : offset.add(r[1]);
        }
        NDArray top = region.maximize(lambda);
        return offset == null ? top : top.add(offset);
    }

    /**
     * CROWN's layer-by-layer bounds: interval bounds everywhere, tightened at the input of every ReLU by
     * back-substitution from that point, for the neurons intervals leave unstable. The two bounds are both
     * sound, so their intersection is kept.
     */
    List<NDArray[]> crown(Region region, NDManager m, int chunk) {
        List<NDArray[]> bounds = interval(region);
        for (int k = 1; k < layers.size(); k++) {
            if (!(layers.get(k) instanceof Relu)) continue;
            if (onlyAffineBefore(k) && region.norm() == org.workbench.problem.Norm.LINF) continue; // intervals are exact there
            NDArray lo = bounds.get(k)[0], hi = bounds.get(k)[1];
            NDArray[] tight = tighten(k, lo, hi, bounds, region, m, chunk);
            bounds.set(k, tight);
            // Later layers' intervals follow from the tightened ones.
            for (int i = k; i < layers.size(); i++) {
                NDArray[] next = layers.get(i).interval(bounds.get(i)[0], bounds.get(i)[1], net.params().get(i));
                if (i + 1 < bounds.size()) {
                    NDArray[] old = bounds.get(i + 1);
                    bounds.set(i + 1, new NDArray[] {next[0].maximum(old[0]), next[1].minimum(old[1])});
                }
            }
        }
        return bounds;
    }

    private boolean onlyAffineBefore(int k) {
        for (int i = 0; i < k; i++) if (layers.get(i) instanceof Relu) return false;
        return true;
    }

    /** Bounds of the input of layer k from identity specifications on its unstable neurons, in chunks. */
    private NDArray[] tighten(int k, NDArray lo, NDArray hi, List<NDArray[]> bounds, Region region, NDManager m, int chunk) {
        long b = lo.getShape().get(0);
        long[] shape = lo.getShape().getShape();
        long n = lo.getShape().size() / b;
        double[] loV = lo.toDoubleArray(), hiV = hi.toDoubleArray();
        double[] newLo = loV.clone(), newHi = hiV.clone();
        for (int s = 0; s < b; s++) {
            List<Integer> unstable = new ArrayList<>();
            for (int j = 0; j < n; j++) if (loV[(int) (s * n + j)] < 0 && hiV[(int) (s * n + j)] > 0) unstable.add(j);
            for (int from = 0; from < unstable.size(); from += chunk) {
                List<Integer> part = unstable.subList(from, Math.min(unstable.size(), from + chunk));
                try (NDManager sm = m.newSubManager()) {
                    int rows = part.size();
                    double[] eye = new double[2 * rows * (int) n];
                    for (int r = 0; r < rows; r++) {
                        eye[r * (int) n + part.get(r)] = 1;
                        eye[(rows + r) * (int) n + part.get(r)] = -1;
                    }
                    long[] ls = new long[shape.length + 1];
                    ls[0] = 1;
                    ls[1] = 2L * rows;
                    System.arraycopy(shape, 1, ls, 2, shape.length - 1);
                    NDArray lambda = sm.create(eye, new Shape(ls));
                    double[] up = upper(lambda, k, sliceAll(bounds, s, k), region.slice(s), null).toDoubleArray();
                    for (int r = 0; r < rows; r++) {
                        int j = (int) (s * n + part.get(r));
                        newHi[j] = Math.min(newHi[j], up[r]);
                        newLo[j] = Math.max(newLo[j], -up[rows + r]);
                    }
                }
            }
        }
        Shape s = new Shape(shape);
        return new NDArray[] {m.create(newLo, s), m.create(newHi, s)};
    }

    private static List<NDArray[]> sliceAll(List<NDArray[]> bounds, int s, int k) {
        List<NDArray[]> out = new ArrayList<>();
        for (int i = 0; i < k; i++) out.add(new NDArray[] {slice(bounds.get(i)[0], s), slice(bounds.get(i)[1], s)});
        return out;
    }

    static NDArray slice(NDArray a, int s) {
        return a.get(s + ":" + (s + 1));
    }

    NDList params(int i) {
        return net.params().get(i);
    }
}
