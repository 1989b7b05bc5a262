package org.workbench.net;

import ai.djl.ndarray.NDArray;
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

    private NDArray conv(NDArray x, NDArray w, NDArray b) {
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, w, b, new Shape(stride, stride),
                new Shape(padding, padding), new Shape(1, 1), 1).singletonOrThrow();
    }

    @Override
    public NDArray[] interval(NDArray lo, NDArray hi, NDList p) {
        NDArray c = lo.add(hi).div(2), r = hi.sub(lo).div(2);
        NDArray zc = forward(c, p), zr = conv(r, p.get(0).abs(), p.get(1).zerosLike());
        return new NDArray[] {zc.sub(zr), zc.add(zr)};
    }

    /**
     * The transpose of the convolution, written as an ordinary stride-1 convolution (DJL's PyTorch engine has
     * no transposed convolution): spread the coefficients out by the stride, pad by kernel - 1 - padding (plus
     * the rows the strided forward pass skipped), and convolve with the flipped, channel-swapped kernel.
     */
    @Override
    public NDArray[] backward(NDArray lambda, NDList p, NDArray lo, NDArray hi, NDArray lowerSlope) {
        long b = lambda.getShape().get(0), s = lambda.getShape().get(1);
        long h = lo.getShape().get(2), w = lo.getShape().get(3);
        long oh = lambda.getShape().get(3), ow = lambda.getShape().get(4);
        NDArray x = dilate(lambda.reshape(b * s, outChannels, oh, ow));
        long extraH = h - ((oh - 1) * stride - 2L * padding + kernelH), extraW = w - ((ow - 1) * stride - 2L * padding + kernelW);
        x = pad(x, 2, kernelH - 1 - padding, kernelH - 1 - padding + extraH);
        x = pad(x, 3, kernelW - 1 - padding, kernelW - 1 - padding + extraW);
        NDArray flipped = p.get(0).transpose(1, 0, 2, 3).flip(2, 3);
        NDArray in = ai.djl.nn.convolutional.Conv2d.conv2d(x, flipped, x.getManager().zeros(new Shape(inChannels), x.getDataType()),
                new Shape(1, 1), new Shape(0, 0), new Shape(1, 1), 1).singletonOrThrow();
        NDArray offset = lambda.sum(new int[] {3, 4}).matMul(p.get(1).reshape(outChannels, 1)).squeeze(-1);
        return new NDArray[] {in.reshape(b, s, inChannels, h, w), offset};
    }

    /** Inserts stride - 1 zeros between neighbouring rows and columns. */
    private NDArray dilate(NDArray x) {
        if (stride == 1) return x;
        long n = x.getShape().get(0), c = x.getShape().get(1), hh = x.getShape().get(2), ww = x.getShape().get(3);
        ai.djl.ndarray.NDManager m = x.getManager();
        NDArray a = x.reshape(n, c, hh, 1, ww, 1);
        a = a.concat(m.zeros(new Shape(n, c, hh, 1, ww, stride - 1), x.getDataType()), 5);
        a = a.concat(m.zeros(new Shape(n, c, hh, stride - 1, ww, stride), x.getDataType()), 3);
        a = a.reshape(n, c, hh * stride, ww * stride);
        return a.get(":, :, :" + ((hh - 1) * stride + 1) + ", :" + ((ww - 1) * stride + 1));
    }

    /** Zero rows before and after along an axis; a negative amount crops instead. */
    private static NDArray pad(NDArray x, int axis, long before, long after) {
        long len = x.getShape().get(axis);
        if (before < 0 || after < 0) {
            String[] idx = {":", ":", ":", ":"};
            idx[axis] = Math.max(0, -before) + ":" + (len - Math.max(0, -after));
            x = x.get(String.join(",", idx));
            before = Math.max(0, before);
            after = Math.max(0, after);
        }
        for (long[] side : new long[][] {{before, 0}, {after, 1}}) {
            if (side[0] == 0) continue;
            long[] zs = x.getShape().getShape().clone();
            zs[axis] = side[0];
            NDArray z = x.getManager().zeros(new Shape(zs), x.getDataType());
            x = side[1] == 0 ? z.concat(x, axis) : x.concat(z, axis);
        }
        return x;
    }

    /**
     * One variable per output with an equality over its taps; taps that fall in the zero padding are skipped.
     * The input is taken as square ([C, H, H]), since the flat arrays do not carry H and W.
     */
    @Override
    public int[] encode(LinearProgram lp, int[] x, double[] inLo, double[] inHi, boolean exact) {
        int h = (int) Math.round(Math.sqrt(x.length / (double) inChannels)), w = h;
        if ((long) inChannels * h * w != x.length)
            throw new IllegalArgumentException("conv2d encode expects a square input [" + inChannels + ", H, H], got "
                    + x.length + " values");
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
