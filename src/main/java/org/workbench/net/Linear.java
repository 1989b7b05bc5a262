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
    public boolean affine() {
        return true;
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

    @Override
    public NDArray[] interval(NDArray lo, NDArray hi, NDList p) {
        NDArray c = lo.add(hi).div(2), r = hi.sub(lo).div(2);
        NDArray zc = forward(c, p), zr = r.matMul(Layer.local(Layer.local(p.get(0).abs(), r).transpose(), r));
        return new NDArray[] {zc.sub(zr), zc.add(zr)};
    }

    @Override
    public NDArray[] backward(NDArray lambda, NDList p, NDArray lo, NDArray hi, NDArray lowerSlope) {
        return new NDArray[] {lambda.matMul(p.get(0)), lambda.matMul(Layer.local(p.get(1).reshape(out, 1), lambda)).squeeze(-1)};
    }

    /** One variable per output, tied to the input by an equality. */
    @Override
    public int[] encode(LinearProgram lp, int[] x, int[] inShape, double[] inLo, double[] inHi, boolean exact) {
        int[] pos = new int[in];
        for (int k = 0; k < in; k++) pos[k] = k;
        double[] row = new double[in];
        int[] y = new int[out];
        for (int j = 0; j < out; j++) {
            System.arraycopy(weight, j * in, row, 0, in);
            y[j] = lp.affine(x, pos, row, in, bias[j], inLo, inHi);
        }
        return y;
    }
}
