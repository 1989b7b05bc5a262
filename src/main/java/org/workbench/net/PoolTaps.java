package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which input element each tap of each pooling window reads, for the bound rules of max and average pooling.
 * Outputs are numbered row-major over [C, outH, outW], inputs over [C, H, W]; tap t of output o is entry
 * o·taps + t of {@link #read}, the input index or -1 in the padding. {@link #scatter} is the transpose: per input,
 * the (output, tap) entries that read it, so that coefficients on taps sum back onto inputs with one gather.
 */
record PoolTaps(int channels, int h, int w, int outH, int outW, int taps, int[] read, long[] inverse, int perInput) {
    private static final Map<java.util.List<Object>, PoolTaps> CACHE = new ConcurrentHashMap<>();

    /** The taps of {@code window} over inputs [channels, h, w]; null window: one window over the whole plane (global). */
    static PoolTaps of(Pooling window, int channels, int h, int w) {
        Pooling p = window != null ? window : new Pooling(h, w, 1, 1, 0, 0, false);
        return CACHE.computeIfAbsent(java.util.List.of(p, channels, h, w), k -> build(p, channels, h, w));
    }

    private static PoolTaps build(Pooling p, int channels, int h, int w) {
        int oh = Pooling.outSize(h, p.kernelH(), p.strideH(), p.padH(), p.ceilMode());
        int ow = Pooling.outSize(w, p.kernelW(), p.strideW(), p.padW(), p.ceilMode());
        int taps = p.kernelH() * p.kernelW(), outputs = channels * oh * ow, inputs = channels * h * w;
        int[] read = new int[outputs * taps];
        int[] count = new int[inputs];
        for (int c = 0; c < channels; c++)
            for (int r = 0; r < oh; r++)
                for (int q = 0; q < ow; q++)
                    for (int a = 0; a < p.kernelH(); a++)
                        for (int b = 0; b < p.kernelW(); b++) {
                            int o = (c * oh + r) * ow + q, t = a * p.kernelW() + b;
                            int ir = r * p.strideH() - p.padH() + a, iq = q * p.strideW() - p.padW() + b;
                            boolean inside = ir >= 0 && ir < h && iq >= 0 && iq < w;
                            int i = inside ? (c * h + ir) * w + iq : -1;
                            read[o * taps + t] = i;
                            if (i >= 0) count[i]++;
                        }
        int most = 1;
        for (int n : count) most = Math.max(most, n);
        long[] inverse = new long[inputs * most];
        java.util.Arrays.fill(inverse, (long) outputs * taps); // the zero column
        int[] filled = new int[inputs];
        for (int e = 0; e < read.length; e++) {
            int i = read[e];
            if (i >= 0) inverse[i * most + filled[i]++] = e;
        }
        return new PoolTaps(channels, h, w, oh, ow, taps, read, inverse, most);
    }

    int outputs() {
        return channels * outH * outW;
    }

    int inputs() {
        return channels * h * w;
    }

    /** Values of x [N, inputs] at every tap, [N, outputs, taps]; taps in the padding read {@code pad}. */
    NDArray gather(NDArray x, double pad) {
        long n = x.getShape().get(0);
        long[] idx = new long[read.length];
        for (int e = 0; e < read.length; e++) idx[e] = read[e] >= 0 ? read[e] : inputs();
        NDArray padded = x.concat(x.getManager().full(new Shape(n, 1), 0).toType(x.getDataType(), false).add(pad), 1);
        NDArray index = x.getManager().create(idx).reshape(1, idx.length).broadcast(new Shape(n, idx.length));
        return padded.gather(index, 1).reshape(n, outputs(), taps);
    }

    /** Coefficients g [N, outputs, taps] summed onto the inputs they read: [N, inputs] (padding taps dropped). */
    NDArray scatter(NDArray g) {
        long n = g.getShape().get(0);
        return ConvIndex.gather(g.reshape(n, -1), inverse).reshape(n, inputs(), perInput).sum(new int[] {2});
    }

    /** 1 for taps inside the input, 0 in the padding, [1, outputs, taps]. */
    NDArray inside(ai.djl.ndarray.NDManager m, ai.djl.ndarray.types.DataType type) {
        double[] v = new double[read.length];
        for (int e = 0; e < read.length; e++) v[e] = read[e] >= 0 ? 1 : 0;
        return m.create(v, new Shape(1, outputs(), taps)).toType(type, false);
    }
}
