package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A 2-d convolution with what {@link Conv2d} does not cover: groups, dilation, unequal strides and padding that
 * differs by side (pads top, left, bottom, right). Weight [outC, inC / groups, kh, kw]. Computed, like Conv2d, as a
 * gather and a matrix product (see {@link ConvIndex} for why not libtorch's convolution), one product per group; its
 * transpose (back-substitution) the same way, gathering each input position's taps from the output coefficients.
 */
public record GeneralConv(Geometry g, double[] weight, double[] bias) implements Layer {

    /** Everything but the weights; a record so that the gather index can be cached per input size. */
    public record Geometry(int inChannels, int outChannels, int groups, int kernelH, int kernelW, int strideH, int strideW,
                           int dilationH, int dilationW, int padTop, int padLeft, int padBottom, int padRight) {
        public Geometry {
            if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0)
                throw new IllegalArgumentException("conv groups " + groups + " must divide the channels " + inChannels + " and " + outChannels);
            if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1 || Math.min(Math.min(padTop, padLeft), Math.min(padBottom, padRight)) < 0)
                throw new IllegalArgumentException("conv needs strides and dilations >= 1 and padding >= 0");
        }

        int outH(int h) {
            return Math.floorDiv(h + padTop + padBottom - dilationH * (kernelH - 1) - 1, strideH) + 1;
        }

        int outW(int w) {
            return Math.floorDiv(w + padLeft + padRight - dilationW * (kernelW - 1) - 1, strideW) + 1;
        }
    }

    private static final Map<List<Object>, long[]> PATCHES = new ConcurrentHashMap<>();

    public GeneralConv {
        long n = (long) g.outChannels() * (g.inChannels() / g.groups()) * g.kernelH() * g.kernelW();
        if (weight.length != n) throw new IllegalArgumentException("conv weight has " + weight.length + " values, expected " + n);
        if (bias.length != g.outChannels())
            throw new IllegalArgumentException("conv bias has " + bias.length + " values, expected " + g.outChannels());
    }

    @Override
    public String type() {
        return "general-conv";
    }

    @Override
    public int[] outputShape(int[] s) {
        if (s.length != 3 || s[0] != g.inChannels())
            throw new IllegalArgumentException("conv expects input [" + g.inChannels() + ", H, W], got " + Layer.show(s));
        int h = g.outH(s[1]), w = g.outW(s[2]);
        if (h < 1 || w < 1) throw new IllegalArgumentException("conv kernel larger than its padded input " + Layer.show(s));
        return new int[] {g.outChannels(), h, w};
    }

    @Override
    public List<Param> params() {
        return List.of(new Param("weight", new long[] {g.outChannels(), g.inChannels() / g.groups(), g.kernelH(), g.kernelW()}, weight),
                new Param("bias", new long[] {g.outChannels()}, bias));
    }

    @Override
    public Layer withParams(List<double[]> v) {
        return new GeneralConv(g, v.get(0), v.get(1));
    }

    @Override
    public NDArray forward(NDArray x, NDList p) {
        return conv(x, p.get(0), p.get(1));
    }

    @Override
    public boolean affine() {
        return true;
    }

    /** Centre and radius: W c + b ± |W| r, exact for one layer. */
    @Override
    public NDArray[] interval(NDArray lo, NDArray hi, NDList p) {
        NDArray c = lo.add(hi).div(2), r = hi.sub(lo).div(2);
        NDArray zc = forward(c, p), zr = conv(r, Layer.local(p.get(0).abs(), r), null);
        return new NDArray[] {zc.sub(zr), zc.add(zr)};
    }

    /**
     * The transpose: per group, each input position gathers from the output coefficients the taps that read it
     * ({@link #transposeIndex}), and a product with the group's transposed weights sums them.
     */
    @Override
    public NDArray[] backward(NDArray lambda, NDList p, NDArray lo, NDArray hi, NDArray lowerSlope) {
        long b = lambda.getShape().get(0), s = lambda.getShape().get(1);
        int h = (int) lo.getShape().get(2), w = (int) lo.getShape().get(3), oh = g.outH(h), ow = g.outW(w);
        int groups = g.groups(), outPer = g.outChannels() / groups, inPer = g.inChannels() / groups;
        long k = (long) outPer * g.kernelH() * g.kernelW(), hw = (long) h * w;
        long[] idx = TRANSPOSE.computeIfAbsent(List.of(g, h, w), key -> transposeIndex(h, w));
        NDArray wt = Layer.local(Layer.local(p.get(0).reshape(groups, outPer, inPer, g.kernelH(), g.kernelW()), lambda)
                .transpose(0, 2, 1, 3, 4).reshape(groups, inPer, k), lambda);
        NDArray in = ConvIndex.inBlocks(lambda.reshape(b * s, (long) g.outChannels() * oh * ow), k * groups * hw, ls -> {
            long n = ls.getShape().get(0);
            NDArray taps = ConvIndex.gather(ls, idx).reshape(n, groups, k, hw);
            return Layer.local(wt.matMul(taps), ls).reshape(n, g.inChannels(), hw);
        });
        NDArray offset = lambda.sum(new int[] {3, 4}).matMul(Layer.local(p.get(1).reshape(g.outChannels(), 1), lambda)).squeeze(-1);
        return new NDArray[] {in.reshape(b, s, g.inChannels(), h, w), offset};
    }

    /** One variable per output with an equality over its group's taps; taps in the padding are skipped. */
    @Override
    public int[] encode(LinearProgram lp, int[] x, int[] inShape, double[] inLo, double[] inHi, boolean exact) {
        int h = inShape[1], w = inShape[2], oh = g.outH(h), ow = g.outW(w);
        int inPer = g.inChannels() / g.groups(), outPer = g.outChannels() / g.groups(), kh = g.kernelH(), kw = g.kernelW();
        int[] pos = new int[inPer * kh * kw];
        double[] coef = new double[pos.length];
        int[] y = new int[g.outChannels() * oh * ow];
        for (int o = 0; o < g.outChannels(); o++)
            for (int r = 0; r < oh; r++)
                for (int q = 0; q < ow; q++) {
                    int n = 0, first = (o / outPer) * inPer;
                    for (int ci = 0; ci < inPer; ci++)
                        for (int a = 0; a < kh; a++)
                            for (int bb = 0; bb < kw; bb++) {
                                int ir = r * g.strideH() - g.padTop() + a * g.dilationH();
                                int iq = q * g.strideW() - g.padLeft() + bb * g.dilationW();
                                if (ir < 0 || ir >= h || iq < 0 || iq >= w) continue;
                                pos[n] = ((first + ci) * h + ir) * w + iq;
                                coef[n++] = weight[((o * inPer + ci) * kh + a) * kw + bb];
                            }
                    y[(o * oh + r) * ow + q] = lp.affine(x, pos, coef, n, bias[o], inLo, inHi);
                }
        return y;
    }

    /**
     * Entry ((o, a, b), (r, q)) reads the output coefficient at [o, r', q'] where r = r'·sh − top + a·dh and
     * q = q'·sw − left + b·dw, or the zero column where no output position reads input (r, q) through tap (a, b).
     */
    private long[] transposeIndex(int h, int w) {
        int oh = g.outH(h), ow = g.outW(w), hw = h * w;
        long zero = (long) g.outChannels() * oh * ow;
        long[] idx = new long[g.outChannels() * g.kernelH() * g.kernelW() * hw];
        int row = 0;
        for (int o = 0; o < g.outChannels(); o++)
            for (int a = 0; a < g.kernelH(); a++)
                for (int b = 0; b < g.kernelW(); b++, row++)
                    for (int r = 0; r < h; r++)
                        for (int q = 0; q < w; q++) {
                            int tr = r + g.padTop() - a * g.dilationH(), tq = q + g.padLeft() - b * g.dilationW();
                            boolean hit = tr >= 0 && tq >= 0 && tr % g.strideH() == 0 && tq % g.strideW() == 0
                                    && tr / g.strideH() < oh && tq / g.strideW() < ow;
                            idx[row * hw + r * w + q] = hit ? ((long) o * oh + tr / g.strideH()) * ow + tq / g.strideW() : zero;
                        }
        return idx;
    }

    private static final Map<List<Object>, long[]> TRANSPOSE = new ConcurrentHashMap<>();

    private NDArray conv(NDArray x, NDArray weights, NDArray biases) {
        int h = (int) x.getShape().get(2), w = (int) x.getShape().get(3);
        int oh = g.outH(h), ow = g.outW(w), groups = g.groups(), l = oh * ow;
        long k = (long) g.inChannels() / groups * g.kernelH() * g.kernelW();
        long[] idx = PATCHES.computeIfAbsent(List.of(g, h, w), key -> patchIndex(h, w));
        NDArray wm = Layer.local(weights.reshape(groups, g.outChannels() / groups, k), x);
        NDArray out = ConvIndex.inBlocks(x, k * groups * l, xs -> {
            long n = xs.getShape().get(0);
            NDArray patches = ConvIndex.gather(xs.reshape(n, -1), idx).reshape(n, groups, k, l);
            return Layer.local(wm.matMul(patches), xs).reshape(n, g.outChannels(), l);
        });
        if (biases != null) out = out.add(Layer.local(biases.reshape(g.outChannels(), 1), x));
        return out.reshape(x.getShape().get(0), g.outChannels(), oh, ow);
    }

    /** Entry ((c, a, b), (r, q)) reads x[c, r·sh − top + a·dh, q·sw − left + b·dw], or the zero column in the padding. */
    private long[] patchIndex(int h, int w) {
        int oh = g.outH(h), ow = g.outW(w), l = oh * ow;
        long zero = (long) g.inChannels() * h * w;
        long[] idx = new long[g.inChannels() * g.kernelH() * g.kernelW() * l];
        int row = 0;
        for (int c = 0; c < g.inChannels(); c++)
            for (int a = 0; a < g.kernelH(); a++)
                for (int b = 0; b < g.kernelW(); b++, row++)
                    for (int r = 0; r < oh; r++)
                        for (int q = 0; q < ow; q++) {
                            int ir = r * g.strideH() - g.padTop() + a * g.dilationH();
                            int iq = q * g.strideW() - g.padLeft() + b * g.dilationW();
                            boolean inside = ir >= 0 && ir < h && iq >= 0 && iq < w;
                            idx[row * l + r * ow + q] = inside ? ((long) c * h + ir) * w + iq : zero;
                        }
        return idx;
    }
}
