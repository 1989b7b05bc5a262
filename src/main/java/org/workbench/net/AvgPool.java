package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * 2-d average pooling over [C, H, W]; with {@code window} null, the global average (output [C, 1, 1]).
 * {@code countPadding} says whether padded positions count in the divisor (ONNX's count_include_pad), with
 * PyTorch's rule for windows that ceil mode lets run past the padding.
 *
 * <p>Computed as a gather of the window's taps, a sum and a division by the per-position count: DJL 0.36's
 * avgPool gives wrong values with padding (0.35 off on the op_avgpool fixture, either count_include_pad).
 */
public record AvgPool(Pooling window, boolean countPadding) implements Layer {
    private static final Map<List<Object>, long[]> TAPS = new ConcurrentHashMap<>();
    private static final Map<List<Object>, double[]> COUNTS = new ConcurrentHashMap<>();

    public static AvgPool global() {
        return new AvgPool(null, false);
    }

    @Override
    public String type() {
        return window == null ? "global-avgpool" : "avgpool";
    }

    @Override
    public int[] outputShape(int[] in) {
        if (window != null) return window.outputShape(type(), in);
        if (in.length < 2) throw new IllegalArgumentException("global average pooling expects [C, ...], got " + Layer.show(in));
        int[] out = new int[in.length];
        java.util.Arrays.fill(out, 1);
        out[0] = in[0];
        return out;
    }

    @Override
    public NDArray forward(NDArray x, NDList p) {
        long n = x.getShape().get(0), c = x.getShape().get(1);
        if (window == null) {
            long[] out = new long[(int) x.getShape().dimension()];
            java.util.Arrays.fill(out, 1);
            out[0] = n;
            out[1] = c;
            return x.reshape(n, c, -1).mean(new int[] {2}).reshape(new Shape(out));
        }
        int h = (int) x.getShape().get(2), w = (int) x.getShape().get(3);
        int[] o = outputShape(new int[] {(int) c, h, w});
        int taps = window.kernelH() * window.kernelW(), l = o[1] * o[2];
        List<Object> key = List.of(window, (int) c, h, w);
        long[] idx = TAPS.computeIfAbsent(key, k -> tapIndex((int) c, h, w, o[1], o[2]));
        double[] count = COUNTS.computeIfAbsent(List.of(window, countPadding, h, w), k -> counts(h, w, o[1], o[2]));
        NDArray sum = ConvIndex.gather(x.reshape(n, -1), idx).reshape(n, c, taps, l).sum(new int[] {2});
        NDArray divisor = x.getManager().create(count).toType(x.getDataType(), false);
        return sum.div(divisor).reshape(n, c, o[1], o[2]);
    }

    @Override
    public boolean affine() {
        return true;
    }

    /** Averaging has nonnegative weights, so each end of the interval averages on its own, exactly. */
    @Override
    public NDArray[] interval(NDArray lo, NDArray hi, NDList p) {
        return new NDArray[] {forward(lo, p), forward(hi, p)};
    }

    /** Each output's coefficient divided by its window's count, summed onto the inputs its taps read. */
    @Override
    public NDArray[] backward(NDArray lambda, NDList p, NDArray lo, NDArray hi, NDArray lowerSlope) {
        long b = lambda.getShape().get(0), s = lambda.getShape().get(1);
        long[] in = lo.getShape().getShape();
        int c = (int) in[1], h = (int) in[2], w = in.length > 3 ? (int) in[3] : 1;
        PoolTaps t = PoolTaps.of(window, c, h, w);
        double[] count = divisors(t, h, w);
        NDArray div = lambda.getManager().create(count, new Shape(1, 1, t.outH() * t.outW())).toType(lambda.getDataType(), false);
        NDArray perOut = lambda.reshape(b * s, c, (long) t.outH() * t.outW()).div(div).reshape(b * s, t.outputs(), 1);
        NDArray perTap = perOut.repeat(2, t.taps());
        long[] shape = new long[in.length + 1];
        shape[0] = b;
        shape[1] = s;
        System.arraycopy(in, 1, shape, 2, in.length - 1);
        return new NDArray[] {t.scatter(perTap).reshape(new Shape(shape)), lambda.getManager().zeros(new Shape(b, s), lambda.getDataType())};
    }

    @Override
    public int[] encode(LinearProgram lp, int[] in, int[] inShape, double[] inLo, double[] inHi, boolean exact) {
        int h = inShape[1], w = inShape.length > 2 ? inShape[2] : 1;
        PoolTaps t = PoolTaps.of(window, inShape[0], h, w);
        double[] count = divisors(t, h, w);
        int plane = t.outH() * t.outW();
        int[] out = new int[t.outputs()];
        for (int o = 0; o < out.length; o++) {
            double n = count[o % plane], lo = 0, hi = 0;
            List<Integer> vars = new java.util.ArrayList<>();
            for (int k = 0; k < t.taps(); k++) {
                int i = t.read()[o * t.taps() + k];
                if (i < 0) continue;
                vars.add(i);
                lo += inLo[i] / n;
                hi += inHi[i] / n;
            }
            double slack = 1e-9 * (1 + Math.abs(lo) + Math.abs(hi));
            out[o] = lp.variable(lo - slack, hi + slack);
            int[] idx = new int[vars.size() + 1];
            double[] coef = new double[vars.size() + 1];
            idx[0] = out[o];
            coef[0] = 1;
            for (int k = 0; k < vars.size(); k++) {
                idx[k + 1] = in[vars.get(k)];
                coef[k + 1] = -1 / n;
            }
            lp.constraint(idx, coef, 0, 0);
        }
        return out;
    }

    /** The divisor per output position of the plane (global pooling: the whole plane). */
    private double[] divisors(PoolTaps t, int h, int w) {
        if (window == null) return new double[] {(double) h * w};
        return COUNTS.computeIfAbsent(List.of(window, countPadding, h, w), k -> counts(h, w, t.outH(), t.outW()));
    }

    /** Entry ((c, a, b), (r, q)) in [c][tap][position] order reads x[c, r·sh − ph + a, q·sw − pw + b], or the zero column. */
    private long[] tapIndex(int channels, int h, int w, int oh, int ow) {
        int kh = window.kernelH(), kw = window.kernelW(), l = oh * ow;
        long zero = (long) channels * h * w;
        long[] idx = new long[channels * kh * kw * l];
        int row = 0;
        for (int ch = 0; ch < channels; ch++)
            for (int a = 0; a < kh; a++)
                for (int b = 0; b < kw; b++, row++)
                    for (int r = 0; r < oh; r++)
                        for (int q = 0; q < ow; q++) {
                            int ir = r * window.strideH() - window.padH() + a, iq = q * window.strideW() - window.padW() + b;
                            boolean inside = ir >= 0 && ir < h && iq >= 0 && iq < w;
                            idx[row * l + r * ow + q] = inside ? ((long) ch * h + ir) * w + iq : zero;
                        }
        return idx;
    }

    /** The divisor per output position: the taps inside the input, or with padding counted as PyTorch counts it. */
    private double[] counts(int h, int w, int oh, int ow) {
        double[] out = new double[oh * ow];
        for (int r = 0; r < oh; r++)
            for (int q = 0; q < ow; q++) {
                int hs = r * window.strideH() - window.padH(), ws = q * window.strideW() - window.padW();
                int he = Math.min(hs + window.kernelH(), h + window.padH()), we = Math.min(ws + window.kernelW(), w + window.padW());
                if (!countPadding) {
                    he = Math.min(he, h);
                    we = Math.min(we, w);
                    hs = Math.max(hs, 0);
                    ws = Math.max(ws, 0);
                }
                out[r * ow + q] = (double) (he - hs) * (we - ws);
            }
        return out;
    }
}
