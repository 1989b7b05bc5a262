package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Batch normalization at inference, per channel (the first non-batch dimension):
 * (x - mean) / sqrt(var + epsilon) * scale + bias, with the running statistics fixed.
 */
public record BatchNorm(double[] scale, double[] bias, double[] mean, double[] var, double epsilon) implements AttackOnly {
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
}
