package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.List;

/**
 * (x - mean[c]) / std[c] per channel (the first non-batch dimension), so that perturbations are stated in
 * [0, 1] pixel space while the network sees normalized inputs.
 */
public record Normalize(double[] mean, double[] std) implements Layer {

    public Normalize {
        if (mean.length != std.length || mean.length == 0)
            throw new IllegalArgumentException("normalize needs mean and std of the same non-zero length");
        for (double s : std)
            if (!(s > 0)) throw new IllegalArgumentException("normalize std must be > 0, got " + s);
    }

    @Override
    public boolean affine() {
        return true;
    }

    @Override
    public String type() {
        return "normalize";
    }

    @Override
    public int[] outputShape(int[] in) {
        if (in[0] != mean.length)
            throw new IllegalArgumentException("normalize has " + mean.length + " channels, input is " + Layer.show(in));
        return in.clone();
    }

    @Override
    public List<Param> params() {
        return List.of(new Param("mean", new long[] {mean.length}, mean, false),
                new Param("std", new long[] {std.length}, std, false));
    }

    @Override
    public Layer withParams(List<double[]> v) {
        return new Normalize(v.get(0), v.get(1));
    }

    /** Increasing in every coordinate (std > 0), so the ends map to the ends. */
    @Override
    public NDArray[] interval(NDArray lo, NDArray hi, NDList p) {
        return new NDArray[] {forward(lo, p), forward(hi, p)};
    }

    @Override
    public NDArray[] backward(NDArray lambda, NDList p, NDArray lo, NDArray hi, NDArray lowerSlope) {
        long[] bshape = new long[(int) lambda.getShape().dimension()];
        java.util.Arrays.fill(bshape, 1);
        bshape[2] = mean.length;
        ai.djl.ndarray.types.Shape s = new ai.djl.ndarray.types.Shape(bshape);
        NDArray in = lambda.div(Layer.local(p.get(1).reshape(s), lambda));
        NDArray offset = in.mul(Layer.local(p.get(0).reshape(s), lambda)).reshape(lambda.getShape().get(0), lambda.getShape().get(1), -1).sum(new int[] {2}).neg();
        return new NDArray[] {in, offset};
    }

    @Override
    public NDArray forward(NDArray x, NDList p) {
        long[] bshape = new long[(int) x.getShape().dimension()];
        java.util.Arrays.fill(bshape, 1);
        bshape[1] = mean.length;
        ai.djl.ndarray.types.Shape s = new ai.djl.ndarray.types.Shape(bshape);
        return x.sub(Layer.local(p.get(0).reshape(s), x)).div(Layer.local(p.get(1).reshape(s), x));
    }

    /** std * y - x = -mean per element: exact coefficients, so no rounding enters the constraint. */
    @Override
    public int[] encode(LinearProgram lp, int[] x, int[] inShape, double[] inLo, double[] inHi, boolean exact) {
        int per = x.length / mean.length;
        int[] y = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            int c = i / per;
            double lo = (inLo[i] - mean[c]) / std[c], hi = (inHi[i] - mean[c]) / std[c];
            // Two roundings per bound; widening by a few ulps keeps the exact image inside.
            y[i] = lp.variable(lo - 4 * Math.ulp(lo), hi + 4 * Math.ulp(hi));
            lp.constraint(new int[] {y[i], x[i]}, new double[] {std[c], -1}, -mean[c], -mean[c]);
        }
        return y;
    }
}
