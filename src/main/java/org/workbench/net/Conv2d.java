package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * 2-d convolution on [C, H, W] inputs; weight [outC, inC, kh, kw] row-major, symmetric zero padding.
 */
public record Conv2d(int inChannels, int outChannels, int kernelH, int kernelW, int stride, int padding,
                     double[] weight, double[] bias) implements Layer {

    public Conv2d {
        long n = (long) outChannels * inChannels * kernelH * kernelW;
        if (weight.length != n)
            throw new IllegalArgumentException("conv2d weight has " + weight.length + " values, expected "
                    + outChannels + "x" + inChannels + "x" + kernelH + "x" + kernelW);
        if (bias.length != outChannels)
            throw new IllegalArgumentException("conv2d bias has " + bias.length + " values, expected " + outChannels);
        if (stride < 1 || padding < 0)
            throw new IllegalArgumentException("conv2d needs stride >= 1 and padding >= 0");
    }

    public int outH(int h) {
        return (h + 2 * padding - kernelH) / stride + 1;
    }

    public int outW(int w) {
        return (w + 2 * padding - kernelW) / stride + 1;
    }

    @Override
    public boolean affine() {
        return true;
    }

    @Override
    public String type() {
        return "conv2d";
    }

    @Override
    public int[] outputShape(int[] s) {
        if (s.length != 3 || s[0] != inChannels)
            throw new IllegalArgumentException("conv2d expects input [" + inChannels + ", H, W], got " + Layer.show(s));
        int h = outH(s[1]), w = outW(s[2]);
        if (h < 1 || w < 1)
            throw new IllegalArgumentException("conv2d kernel larger than its padded input " + Layer.show(s));
        return new int[] {outChannels, h, w};
    }

    @Override
    public List<Param> params() {
        return List.of(new Param("weight", new long[] {outChannels, inChannels, kernelH, kernelW}, weight),
                new Param("bias", new long[] {outChannels}, bias));
    }

    @Override
    public Layer withParams(List<double[]> v) {
        return new Conv2d(inChannels, outChannels, kernelH, kernelW, stride, padding, v.get(0), v.get(1));
    }

    @Override
    public NDArray forward(NDArray x, NDList p) {
        return conv(x, p.get(0), p.get(1));
    }

    /** libtorch's operator where {@link CheckedTorchConv} trusts it, else patches times the weight matrix ({@link ConvIndex}). */
    private NDArray conv(NDArray x, NDArray w, NDArray b) {
        boolean recorded = x.hasGradient() || w.hasGradient() || b != null && b.hasGradient();
        if (CheckedTorchConv.usable(x, outChannels, kernelH, kernelW, stride, padding, recorded))
            return CheckedTorchConv.conv(x, w, b, stride, padding);
        long n = x.getShape().get(0), h = x.getShape().get(2), wd = x.getShape().get(3);
        ConvIndex g = geometry(h, wd);
        NDArray wm = Layer.local(w.reshape(outChannels, -1), x);
        NDArray out = ConvIndex.inBlocks(x, (long) wm.getShape().get(1) * g.outH() * g.outW(), xs -> Layer.local(wm.matMul(g.patches(xs)), xs));
        if (b != null) out = out.add(Layer.local(b.reshape(outChannels, 1), x));
        return out.reshape(n, outChannels, g.outH(), g.outW());
    }

    private ConvIndex geometry(long h, long w) {
        return new ConvIndex(inChannels, (int) h, (int) w, kernelH, kernelW, stride, padding);
    }

    @Override
    public NDArray[] interval(NDArray lo, NDArray hi, NDList p) {
        NDArray c = lo.add(hi).div(2), r = hi.sub(lo).div(2);
        NDArray zc = forward(c, p), zr = conv(r, Layer.local(p.get(0).abs(), r), null);
        return new NDArray[] {zc.sub(zr), zc.add(zr)};
    }

    @Override
    public NDArray[] backward(NDArray lambda, NDList p, NDArray lo, NDArray hi, NDArray lowerSlope) {
        long b = lambda.getShape().get(0), s = lambda.getShape().get(1);
        long h = lo.getShape().get(2), w = lo.getShape().get(3);
        long oh = lambda.getShape().get(3), ow = lambda.getShape().get(4);
        NDArray in = transpose(lambda.reshape(b * s, outChannels, oh, ow), p.get(0), h, w);
        NDArray offset = lambda.sum(new int[] {3, 4}).matMul(Layer.local(p.get(1).reshape(outChannels, 1), lambda)).squeeze(-1);
        return new NDArray[] {in.reshape(b, s, inChannels, h, w), offset};
    }

    /**
     * The transpose of the convolution on g [N, outC, oh, ow] for an input of h x w: [N, inC, h, w] (back-substitution's
     * coefficients, or an input gradient), whichever way moves fewer values: either each input position gathers, tap
     * by tap, the coefficient of the output position that reads it and the taps are summed against the weights, or the
     * coefficients are first multiplied by the weights per output position and each input position sums the taps
     * that land on it ({@link ConvIndex#fold}); the second wins for few input channels or a stride (the first layers
     * of a CNN, and the receptive-field windows of {@code PatchWalk}).
     */
    NDArray transpose(NDArray g, NDArray weight, long h, long w) {
        long oh = g.getShape().get(2), ow = g.getShape().get(3);
        // Float32 (branch and bound's search), stride 1: the transpose is a convolution itself, with the kernel flipped
        // and its channels swapped, run by oneDNN where CheckedTorchConv trusts that shape; its autograd backward is
        // again a convolution, where the gather's is a scatter-add (a third of ResNet branch and bound's time).
        int flippedPad = kernelH - 1 - padding;
        if (stride == 1 && kernelH == kernelW && flippedPad >= 0 && g.getDataType() == DataType.FLOAT32
                && CheckedTorchConv.usable(g, inChannels, kernelH, kernelW, 1, flippedPad, g.hasGradient())) {
            NDArray flipped = Layer.local(Layer.local(weight.transpose(1, 0, 2, 3), g).flip(2, 3), g);
            return CheckedTorchConv.conv(g, flipped, null, 1, flippedPad);
        }
        ConvIndex geo = geometry(h, w);
        long taps = (long) kernelH * kernelW, gathered = outChannels * taps * h * w;
        long folded = inChannels * taps * oh * ow + inChannels * h * w * geo.slots();
        if (folded < gathered) {
            // One matrix product [rows·positions, outC] x [outC, inC·kh·kw], not one small product per row.
            // With a zero column: the entries the fold reads where no tap lands (ConvIndex.fold).
            NDArray w0 = Layer.local(weight.reshape(outChannels, -1), g);
            NDArray wm = w0.concat(g.getManager().zeros(new Shape(outChannels, 1), w0.getDataType()), 1);
            long l = oh * ow;
            return ConvIndex.inBlocks(g.reshape(-1, outChannels, l), folded, ls -> {
                long n = ls.getShape().get(0);
                NDArray byPosition = l == 1 ? ls.reshape(n, outChannels) : ls.transpose(0, 2, 1).reshape(n * l, outChannels);
                return Layer.local(geo.fold(Layer.local(byPosition.matMul(wm), ls).reshape(n, l, -1)), ls);
            });
        }
        NDArray wt = Layer.local(Layer.local(weight.transpose(1, 0, 2, 3), g).reshape(inChannels, -1), g);
        return ConvIndex.inBlocks(g, gathered, ls -> Layer.local(wt.matMul(geo.transposePatches(ls, outChannels)), ls))
                .reshape(-1, inChannels, h, w);
    }

    /**
     * One variable per output with an equality over its taps; taps that fall in the zero padding are skipped.
     */
    @Override
    public int[] encode(LinearProgram lp, int[] x, int[] inShape, double[] inLo, double[] inHi, boolean exact) {
        int h = inShape[1], w = inShape[2];
        if ((long) inChannels * h * w != x.length)
            throw new IllegalArgumentException("conv2d encode: input " + Layer.show(inShape) + " but " + x.length + " variables");
        int oh = outH(h), ow = outW(w), taps = inChannels * kernelH * kernelW;
        int[] pos = new int[taps];
        double[] coef = new double[taps];
        int[] y = new int[outChannels * oh * ow];
        for (int o = 0; o < outChannels; o++)
            for (int r = 0; r < oh; r++)
                for (int c = 0; c < ow; c++) {
                    int n = 0;
                    for (int ci = 0; ci < inChannels; ci++)
                        for (int a = 0; a < kernelH; a++)
                            for (int b = 0; b < kernelW; b++) {
                                int ir = r * stride - padding + a, ic = c * stride - padding + b;
                                if (ir < 0 || ir >= h || ic < 0 || ic >= w) continue;
                                pos[n] = (ci * h + ir) * w + ic;
                                coef[n++] = weight[((o * inChannels + ci) * kernelH + a) * kernelW + b];
                            }
                    y[(o * oh + r) * ow + c] = lp.affine(x, pos, coef, n, bias[o], inLo, inHi);
                }
        return y;
    }
}
