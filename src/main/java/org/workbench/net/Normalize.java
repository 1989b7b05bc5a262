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

    @Override
    public NDArray forward(NDArray x, NDList p) {
        long[] bshape = new long[(int) x.getShape().dimension()];
        java.util.Arrays.fill(bshape, 1);
        bshape[1] = mean.length;
        ai.djl.ndarray.types.Shape s = new ai.djl.ndarray.types.Shape(bshape);
        return x.sub(p.get(0).reshape(s)).div(p.get(1).reshape(s));
    }
}
