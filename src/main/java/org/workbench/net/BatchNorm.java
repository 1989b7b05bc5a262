package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Batch normalization at inference, per channel (the first non-batch dimension):
 * (x - mean) / sqrt(var + epsilon) * scale + bias, with the running statistics fixed.
 */
public record BatchNorm(double[] scale, double[] bias, double[] mean, double[] var, double epsilon) implements Layer {
    public BatchNorm {
        int c = scale.length;
        if (c == 0 || bias.length != c || mean.length != c || var.length != c)
            throw new IllegalArgumentException("batchnorm needs scale, bias, mean and var of the same non-zero length");
        for (double v : var)
            if (!(v + epsilon > 0)) throw new IllegalArgumentException("batchnorm var + epsilon must be > 0, got " + (v + epsilon));
    }

    @Override
    public String type() {
        return "batchnorm";
    }

    @Override
    public int[] outputShape(int[] in) {
        if (in[0] != scale.length)
            throw new IllegalArgumentException("batchnorm has " + scale.length + " channels, input is " + Layer.show(in));
        return in.clone();
    }

    @Override
    public List<Param> params() {
        long[] s = {scale.length};
        return List.of(new Param("scale", s, scale), new Param("bias", s, bias),
                new Param("mean", s, mean, false), new Param("var", s, var, false));
    }

    @Override
    public Layer withParams(List<double[]> v) {
        return new BatchNorm(v.get(0), v.get(1), v.get(2), v.get(3), epsilon);
    }

    @Override
    public NDArray forward(NDArray x, NDList p) {
        long[] b = new long[(int) x.getShape().dimension()];
        java.util.Arrays.fill(b, 1);
        b[1] = scale.length;
        Shape s = new Shape(b);
        NDArray factor = Layer.local(p.get(0).div(Layer.local(p.get(3).add(epsilon).sqrt(), x)), x);
        NDArray shift = Layer.local(p.get(1).sub(Layer.local(p.get(2).mul(factor), x)), x);
        return x.mul(factor.reshape(s)).add(shift.reshape(s));
    }

    @Override
    public boolean affine() {
        return true;
    }

    /** Per channel y = factor·x + shift, from the float64 master values. */
    private double[][] factorAndShift() {
        int c = scale.length;
        double[] f = new double[c], sh = new double[c];
        for (int k = 0; k < c; k++) {
            f[k] = scale[k] / Math.sqrt(var[k] + epsilon);
            sh[k] = bias[k] - mean[k] * f[k];
        }
        return new double[][] {f, sh};
    }

    /** A per-channel vector shaped to broadcast against values whose channel axis is {@code axis} of {@code dims}. */
    private static NDArray perChannel(NDArray like, double[] v, int axis, int dims) {
        long[] s = new long[dims];
        java.util.Arrays.fill(s, 1);
        s[axis] = v.length;
        return like.getManager().create(v, new Shape(s)).toType(like.getDataType(), false);
    }

    @Override
    public NDArray[] interval(NDArray lo, NDArray hi, NDList p) {
        double[][] fs = factorAndShift();
        double[] absF = java.util.Arrays.stream(fs[0]).map(Math::abs).toArray();
        int dims = (int) lo.getShape().dimension();
        NDArray c = lo.add(hi).div(2), r = hi.sub(lo).div(2);
        NDArray zc = c.mul(perChannel(lo, fs[0], 1, dims)).add(perChannel(lo, fs[1], 1, dims)), zr = r.mul(perChannel(lo, absF, 1, dims));
        return new NDArray[] {zc.sub(zr), zc.add(zr)};
    }

    @Override
    public NDArray[] backward(NDArray lambda, NDList p, NDArray lo, NDArray hi, NDArray lowerSlope) {
        double[][] fs = factorAndShift();
        int dims = (int) lambda.getShape().dimension();
        NDArray in = lambda.mul(perChannel(lambda, fs[0], 2, dims));
        int[] rest = new int[dims - 2];
        for (int k = 0; k < rest.length; k++) rest[k] = k + 2;
        NDArray offset = lambda.mul(perChannel(lambda, fs[1], 2, dims)).sum(rest);
        return new NDArray[] {in, offset};
    }

    @Override
    public int[] encode(LinearProgram lp, int[] in, int[] inShape, double[] inLo, double[] inHi, boolean exact) {
        double[][] fs = factorAndShift();
        int per = in.length / scale.length;
        int[] out = new int[in.length];
        for (int i = 0; i < in.length; i++) {
            int c = i / per;
            double f = fs[0][c], sh = fs[1][c];
            double a = f * inLo[i] + sh, b = f * inHi[i] + sh, slack = 1e-9 * (1 + Math.abs(a) + Math.abs(b));
            out[i] = lp.variable(Math.min(a, b) - slack, Math.max(a, b) + slack);
            lp.constraint(new int[] {out[i], in[i]}, new double[] {1, -f}, sh, sh);
        }
        return out;
    }
}
