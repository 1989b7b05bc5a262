package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.List;

/** y = W x + b with W of shape [out, in] (row-major), applied to a flat input. */
public record Linear(int in, int out, double[] weight, double[] bias) implements Layer {

    public Linear {
        if (weight.length != (long) in * out)
            throw new IllegalArgumentException("linear weight has " + weight.length + " values, expected " + out + "x" + in);
        if (bias.length != out)
            throw new IllegalArgumentException("linear bias has " + bias.length + " values, expected " + out);
    }

    public double w(int row, int col) {
        return weight[row * in + col];
    }

    @Override
    public String type() {
        return "linear";
    }

    @Override
    public int[] outputShape(int[] shape) {
        if (shape.length != 1 || shape[0] != in)
            throw new IllegalArgumentException("linear expects input [" + in + "], got " + Layer.show(shape));
        return new int[] {out};
    }

    @Override
    public List<Param> params() {
        return List.of(new Param("weight", new long[] {out, in}, weight), new Param("bias", new long[] {out}, bias));
    }

    @Override
    public Layer withParams(List<double[]> v) {
        return new Linear(in, out, v.get(0), v.get(1));
    }

    @Override
    public NDArray forward(NDArray x, NDList p) {
        return ai.djl.nn.core.Linear.linear(x, p.get(0), p.get(1)).singletonOrThrow();
    }
}
