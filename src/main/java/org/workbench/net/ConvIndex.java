package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A convolution and its transpose as one gather and one matrix product ("im2col"), instead of libtorch's
 * convolution operator: for every float64 convolution (bounds) and for the float32 ones that {@link CheckedTorchConv}
 * does not hand to libtorch.
 *
 * <p>Why: libtorch 2.7.1 hands float32 convolutions to oneDNN, whose backward-data kernel returns wrong input
 * gradients for layers with fewer than 16 output channels on AVX2/AVX-512 CPUs (measured on an AMD Zen 5: every
 * such shape tried, batch 2 to 64, wrong by 4-28; the part of the result it never writes is uninitialized memory,
 * sometimes NaN). The forward values are right, so the bug stayed hidden until an attack or a slope optimization
 * differentiated through a small convolution. A gather and a matrix product have simple, exact backward rules
 * (a scatter-add and two matrix products), whatever the CPU, so every gradient through a convolution is right by
 * construction. The same formulation gives the transpose that back-substitution needs, without spreading the
 * coefficients out by the stride.
 *
 * <p>Padding is a zero column appended to the flattened input: positions that fall in the padding gather it.
 */
record ConvIndex(int channels, int h, int w, int kernelH, int kernelW, int stride, int padding) {
    private static final Map<ConvIndex, long[]> PATCHES = new ConcurrentHashMap<>();
    private static final Map<ConvIndex, long[]> TRANSPOSE = new ConcurrentHashMap<>();
    private static final Map<ConvIndex, long[]> FOLD = new ConcurrentHashMap<>();

    int outH() {
        return (h + 2 * padding - kernelH) / stride + 1;
    }

    int outW() {
        return (w + 2 * padding - kernelW) / stride + 1;
    }

    /**
     * Patches of x [N, channels, h, w] as [N, channels·kh·kw, outH·outW]: entry ((c, a, b), (r, q)) is
     * x[c, r·stride − padding + a, q·stride − padding + b], or 0 in the padding.
     */
    NDArray patches(NDArray x) {
        long n = x.getShape().get(0);
        int k = channels * kernelH * kernelW, l = outH() * outW();
        return gather(x.reshape(n, -1), PATCHES.computeIfAbsent(this, ConvIndex::patchIndex)).reshape(n, k, l);
    }

    /**
     * f applied to row blocks of x (along its first axis) and the results concatenated: the patches of a whole
     * batch hold kh·kw times its values, and back-substitution's batches (one row per neuron bounded) reach
     * thousands of rows, so each block is kept under {@code ELEMENTS} patch values.
     */
    static NDArray inBlocks(NDArray x, long valuesPerRow, java.util.function.UnaryOperator<NDArray> f) {
        long n = x.getShape().get(0), per = Math.max(1, ELEMENTS / Math.max(1, valuesPerRow));
        if (n <= per) return f.apply(x);
        ai.djl.ndarray.NDList parts = new ai.djl.ndarray.NDList();
        for (long from = 0; from < n; from += per) parts.add(f.apply(x.get(from + ":" + Math.min(n, from + per))));
        return ai.djl.ndarray.NDArrays.concat(parts, 0);
    }

    /**
     * At most this many patch values at once: 16 MB in float64, under the 32 MB above which the launcher's malloc
     * settings map fresh pages, which the kernel zeroes on every use (with 128 MB blocks, half of CROWN's time on
     * the shipped CNN went to the kernel).
     */
    static final long ELEMENTS = 2L << 20;

    /**
     * For coefficients g [N, outChannels, outH, outW] on the output, the gather that the transpose needs:
     * [N, outChannels·kh·kw, h·w] with entry ((o, a, b), (r, q)) = g[o, r', q'] where r = r'·stride − padding + a
     * and q = q'·stride − padding + b, or 0 where no output position reads input (r, q) through tap (a, b).
     */
    NDArray transposePatches(NDArray g, int outChannels) {
        long n = g.getShape().get(0);
        long[] idx = TRANSPOSE.computeIfAbsent(new ConvIndex(outChannels, h, w, kernelH, kernelW, stride, padding), ConvIndex::transposeIndex);
        return gather(g.reshape(n, -1), idx).reshape(n, (long) outChannels * kernelH * kernelW, (long) h * w);
    }

    /** Taps of the kernel that can land on one input position: ceil(kh / stride) · ceil(kw / stride). */
    int slots() {
        return ((kernelH + stride - 1) / stride) * ((kernelW + stride - 1) / stride);
    }

    /**
     * The transpose the other way round ("col2im"): t [N, outH·outW, channels·kh·kw + 1] holds, for every output
     * position and tap, the coefficient already multiplied by the weights, and a zero last column (the caller's weight
     * matrix has a zero column, so no copy of t is needed to append one); each input position sums the at most
     * {@link #slots} entries that land on it, positions no tap reaches read a zero column: [N, channels, h, w].
     * Cheaper than {@link #transposePatches} when the convolution has few input channels or a stride, since nothing
     * is gathered per output channel. The gather is slot-major, so the sum runs over a middle axis of whole rows: on
     * the shipped CNN's layers that, and no appended column, made the fold 2 to 3 times faster than a sum over an
     * innermost axis of length {@link #slots} (the fold was over a third of CROWN's time there).
     */
    NDArray fold(NDArray t) {
        long n = t.getShape().get(0), chw = (long) channels * h * w;
        if (outH() == 1 && outW() == 1 && padding == 0 && kernelH == h && kernelW == w) // one window: t is the input
            return t.reshape(n, -1).get(":, :" + chw).reshape(n, channels, h, w);
        long[] idx = FOLD.computeIfAbsent(this, ConvIndex::foldIndex);
        return columns(t.reshape(n, -1), idx).reshape(n, slots(), chw).sum(new int[] {1}).reshape(n, channels, h, w);
    }

    /**
     * Columns idx of flat [N, d] with a zero column d appended, as [N, idx.length]: torch's gather with the index
     * broadcast over rows (its backward, a scatter-add, measured 16 % faster per PGD step on the shipped CNN than
     * advanced indexing's accumulate).
     */
    static NDArray gather(NDArray flat, long[] idx) {
        return columns(withZero(flat), idx);
    }

    /** Columns idx of flat [N, d] as [N, idx.length]. */
    private static NDArray columns(NDArray flat, long[] idx) {
        long n = flat.getShape().get(0);
        NDArray index = flat.getManager().create(idx).reshape(1, idx.length).broadcast(new Shape(n, idx.length));
        return flat.gather(index, 1);
    }

    /** [N, d] → [N, d + 1] with a zero last column. */
    private static NDArray withZero(NDArray flat) {
        NDArray zero = flat.getManager().zeros(new Shape(flat.getShape().get(0), 1), flat.getDataType());
        return flat.concat(zero, 1);
    }

    private long[] patchIndex() {
        int oh = outH(), ow = outW(), l = oh * ow;
        long zero = (long) channels * h * w;
        long[] idx = new long[channels * kernelH * kernelW * l];
        int row = 0;
        for (int c = 0; c < channels; c++)
            for (int a = 0; a < kernelH; a++)
                for (int b = 0; b < kernelW; b++, row++)
                    for (int r = 0; r < oh; r++)
                        for (int q = 0; q < ow; q++) {
                            int ir = r * stride - padding + a, iq = q * stride - padding + b;
                            boolean inside = ir >= 0 && ir < h && iq >= 0 && iq < w;
                            idx[row * l + r * ow + q] = inside ? ((long) c * h + ir) * w + iq : zero;
                        }
        return idx;
    }

    /**
     * Slot by slot (slot-major), for input position (c, r, q), the entry (r', q', c, a, b) of t [outH·outW,
     * channels·kh·kw + 1] that lands on it, or position 0's zero column.
     */
    private long[] foldIndex() {
        int oh = outH(), ow = outW(), slots = slots(), chw = channels * h * w;
        long width = (long) channels * kernelH * kernelW + 1, zero = width - 1;
        long[] idx = new long[chw * slots];
        java.util.Arrays.fill(idx, zero);
        for (int c = 0; c < channels; c++)
            for (int r = 0; r < h; r++)
                for (int q = 0; q < w; q++) {
                    int at = (c * h + r) * w + q, used = 0;
                    for (int a = 0; a < kernelH; a++)
                        for (int b = 0; b < kernelW; b++) {
                            int tr = r + padding - a, tq = q + padding - b;
                            if (tr < 0 || tq < 0 || tr % stride != 0 || tq % stride != 0 || tr / stride >= oh || tq / stride >= ow) continue;
                            idx[(used++) * chw + at] = ((tr / stride) * ow + tq / stride) * width + (c * kernelH + a) * kernelW + b;
                        }
                }
        return idx;
    }

    /** Here {@code channels} is the number of output channels of the convolution being transposed. */
    private long[] transposeIndex() {
        int oh = outH(), ow = outW(), hw = h * w;
        long zero = (long) channels * oh * ow;
        long[] idx = new long[channels * kernelH * kernelW * hw];
        int row = 0;
        for (int o = 0; o < channels; o++)
            for (int a = 0; a < kernelH; a++)
                for (int b = 0; b < kernelW; b++, row++)
                    for (int r = 0; r < h; r++)
                        for (int q = 0; q < w; q++) {
                            int tr = r + padding - a, tq = q + padding - b;
                            boolean hit = tr >= 0 && tq >= 0 && tr % stride == 0 && tq % stride == 0
                                    && tr / stride < oh && tq / stride < ow;
                            idx[row * hw + r * w + q] = hit ? ((long) o * oh + tr / stride) * ow + tq / stride : zero;
                        }
        return idx;
    }
}
