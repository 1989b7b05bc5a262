package org.workbench.relax;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.workbench.net.BatchNorm;
import org.workbench.net.Conv2d;
import org.workbench.net.Layer;
import org.workbench.net.Network;
import org.workbench.net.Normalize;
import org.workbench.net.Relu;

/**
 * Back-substitution for single neurons of a convolutional layer, with each neuron's coefficients kept on its
 * receptive field only (auto_LiRPA's "patches" mode). A neuron of the second convolution of a small CNN depends on a
 * 4x4 window of the first ReLU's 14x14 output and a 10x10 window of the image; carrying its coefficients over whole
 * layers, as {@link GraphWalk} does, moves hundreds of times more zeros than numbers, and made CROWN's intermediate
 * bounds cost seconds per image.
 *
 * <p>Each row (one neuron and a sign, of one sample) becomes its own batch entry [R, 1, C, K, K] whose window on the
 * current value starts at (r·stride − offset, q·stride − offset) for the neuron's position (r, q); all rows share K,
 * stride and offset. The layers' own rules do the work: bounds are cut to each row's window, the convolution's
 * transpose runs on the window (unpadded; its output window is (K−1)·s + k wide), and entries that fall outside the
 * value's grid (the zero padding) are cleared after every convolution, so neither biases nor ReLU lines are counted
 * there. At the input the region, cut to each row's window, maximizes the window's coefficients by its own rule,
 * so every norm works unchanged. Only chains of convolutions, ReLUs and per-channel affine layers take this walk.
 */
final class PatchWalk {
    private PatchWalk() {}

    /** Whether value {@code from} is a convolution's output reached from the input through local layers only. */
    static boolean applies(Network net, List<int[]> shapes, int from) {
        if (from < 1 || !(net.layers().get(from - 1) instanceof Conv2d)) return false;
        for (int i = 0; i < from; i++) {
            Layer l = net.layers().get(i);
            int[] r = net.inputs().get(i);
            boolean local = l instanceof Conv2d c ? c.kernelH() == c.kernelW() : l instanceof Relu || l instanceof BatchNorm || l instanceof Normalize;
            if (!local || r.length != 1 || r[0] != i || shapes.get(i).length != 3) return false;
        }
        return true;
    }

    /** The most coefficients one row holds at any value on the way back. */
    static long rowSize(Network net, List<int[]> shapes, int from) {
        long most = 1;
        int k = 1;
        for (int i = from - 1; i >= 0; i--) {
            if (net.layers().get(i) instanceof Conv2d c) k = (k - 1) * c.stride() + c.kernelH();
            most = Math.max(most, (long) shapes.get(i)[0] * k * k);
        }
        return most;
    }

    /**
     * Upper bounds of sign·(neuron) of value {@code from} for rows: row i is neuron {@code neuron[i]} (flat index into
     * the value) of sample {@code sample[i]} with sign {@code sign[i]}. Returns [rows].
     */
    static NDArray upper(NDManager m, Propagation p, Network net, List<int[]> shapes, List<NDArray[]> bounds, Region region,
                         int from, int[] sample, int[] neuron, double[] sign) {
        int rows = neuron.length;
        int[] out = shapes.get(from);
        int[] r0 = new int[rows], q0 = new int[rows];
        double[] start = new double[rows * out[0]];
        for (int i = 0; i < rows; i++) {
            int j = neuron[i];
            r0[i] = j / out[2] % out[1];
            q0[i] = j % out[2];
            start[i * out[0] + j / (out[1] * out[2])] = sign[i];
        }
        Window w = new Window(sample, r0, q0, out[1], out[2], 1, 0, 1);
        NDArray coef = m.create(start, new Shape(rows, 1, out[0], 1, 1));
        NDArray offset = m.zeros(new Shape(rows, 1), coef.getDataType());
        for (int i = from - 1; i >= 0; i--) {
            Layer layer = net.layers().get(i);
            int[] in = shapes.get(i);
            NDArray[] res;
            if (layer instanceof Conv2d c) {
                Window next = w.through(c);
                NDArray shape = m.zeros(new Shape(1, in[0], next.k, next.k), coef.getDataType());
                // The window's transpose is unpadded: padding positions are those off the grid, cleared below.
                Conv2d unpadded = new Conv2d(c.inChannels(), c.outChannels(), c.kernelH(), c.kernelW(), c.stride(), 0, c.weight(), c.bias());
                res = unpadded.backward(coef, p.params(i), shape, shape, null);
                w = next;
                res[0] = res[0].mul(w.inside(m, in[1], in[2]));
            } else if (layer instanceof Relu) {
                res = Relu.backward(coef, w.lines(m, bounds.get(i)[0], bounds.get(i)[1], in), null);
            } else {
                res = layer.backward(coef, p.params(i), null, null, null);
            }
            coef = res[0];
            offset = offset.add(res[1]);
        }
        // The region cut to each row's window (off the image: 0, where the coefficients are 0 too) maximizes the
        // window's coefficients exactly as the whole region would maximize them spread over the image.
        int[] x = shapes.get(0);
        Region cut = new Region(w.cut(m, region.center(), x), w.cut(m, region.lo(), x), w.cut(m, region.hi(), x), null,
                region.norm(), region.eps());
        return cut.maximize(coef).add(offset).reshape(rows);
    }

    /**
     * Each row's K x K window on a value: top-left (r·stride − shift, q·stride − shift) for the row's position (r, q) on
     * the starting value's grid (gh x gw). Rows at the same position of the same sample share their window, so values
     * are cut once per (sample, position) into a table and each row picks its line of it.
     */
    private record Window(int[] sample, int[] r, int[] q, int gh, int gw, int stride, int shift, int k) {
        Window through(Conv2d c) {
            return new Window(sample, r, q, gh, gw, stride * c.stride(), shift * c.stride() + c.padding(), (k - 1) * c.stride() + c.kernelH());
        }

        /** Row i's line in a table of samples x positions ({@code shared}: one sample serves all). */
        private NDArray pick(NDManager m, NDArray table, boolean shared) {
            long[] line = new long[sample.length];
            for (int i = 0; i < line.length; i++) line[i] = (long) (shared ? 0 : sample[i]) * gh * gw + (long) r[i] * gw + q[i];
            long width = table.getShape().get(1);
            return table.gather(m.create(line).reshape(line.length, 1).broadcast(new Shape(line.length, width)), 0);
        }

        /** 1 where a row's window position lies on the h x w grid, else 0: [R, 1, 1, K, K]. */
        NDArray inside(NDManager m, int h, int w) {
            double[] v = new double[gh * gw * k * k];
            for (int p = 0; p < gh * gw; p++)
                for (int a = 0; a < k; a++)
                    for (int c = 0; c < k; c++) {
                        int y = (p / gw) * stride - shift + a, x = (p % gw) * stride - shift + c;
                        v[(p * k + a) * k + c] = y >= 0 && y < h && x >= 0 && x < w ? 1 : 0;
                    }
            return pick(m, m.create(v, new Shape(gh * gw, k * k)), true).reshape(sample.length, 1, 1, k, k);
        }

        /** Per-sample values t [B, C, H, W] (or one sample shared by all) cut into windows: [B·positions, C·K·K]. */
        NDArray table(NDManager m, NDArray t, int[] shape) {
            int c = shape[0], h = shape[1], w = shape[2], positions = gh * gw;
            long samples = t.getShape().size() / ((long) c * h * w), zero = t.getShape().size();
            long[] idx = new long[(int) samples * positions * c * k * k];
            int n = 0;
            for (int b = 0; b < samples; b++)
                for (int p = 0; p < positions; p++)
                    for (int ch = 0; ch < c; ch++)
                        for (int a = 0; a < k; a++)
                            for (int d = 0; d < k; d++) {
                                int y = (p / gw) * stride - shift + a, x = (p % gw) * stride - shift + d;
                                idx[n++] = y >= 0 && y < h && x >= 0 && x < w ? (((long) b * c + ch) * h + y) * w + x : zero;
                            }
            NDArray view = t.reshape(1, -1);
            view.attach(m); // the chunk's manager, not the bounds' (freed with the chunk)
            NDArray flat = view.concat(m.zeros(new Shape(1, 1), t.getDataType()), 1);
            return flat.gather(m.create(idx).reshape(1, idx.length), 1).reshape(samples * positions, (long) c * k * k);
        }

        /** Each row's window of t: [R, C, K, K], zero off the grid. */
        NDArray cut(NDManager m, NDArray t, int[] shape) {
            NDArray table = table(m, t, shape);
            return pick(m, table, t.getShape().size() == Layer.size(shape)).reshape(sample.length, shape[0], k, k);
        }

        /**
         * ReLU lines on each row's window, computed once per (sample, position) and picked per row; only those CROWN's
         * fixed slopes read (the walk never takes optimized ones, so active and unstable stay null).
         */
        Relu.Lines lines(NDManager m, NDArray lo, NDArray hi, int[] shape) {
            long samples = lo.getShape().size() / Layer.size(shape);
            Relu.Lines l = Relu.lines(table(m, lo, shape), table(m, hi, shape));
            java.util.function.UnaryOperator<NDArray> rows = a -> pick(m, a.reshape(samples * gh * gw, -1), false)
                    .reshape(sample.length, 1, shape[0], k, k);
            return new Relu.Lines(rows.apply(l.upSlope()), rows.apply(l.upOffset()), null, null, rows.apply(l.adaptiveSlope()));
        }
    }
}
