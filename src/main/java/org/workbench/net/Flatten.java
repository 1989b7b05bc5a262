package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** Flattens [C, H, W] (row-major, as PyTorch does) into one vector. */
public record Flatten() implements Layer {
    @Override
    public boolean affine() {
        return true;
    }

    @Override
    public String type() {
        return "flatten";
    }

    @Override
    public int[] outputShape(int[] in) {
        return new int[] {Layer.size(in)};
    }

    @Override
    public NDArray forward(NDArray x, NDList p) {
        return x.reshape(x.getShape().get(0), -1);
    }

    @Override
    public NDArray[] interval(NDArray lo, NDArray hi, NDList p) {
        return new NDArray[] {forward(lo, p), forward(hi, p)};
    }

    @Override
    public NDArray[] backward(NDArray lambda, NDList p, NDArray lo, NDArray hi, NDArray lowerSlope) {
        long[] in = lo.getShape().getShape();
        long[] s = new long[in.length + 1];
        s[0] = lambda.getShape().get(0);
        s[1] = lambda.getShape().get(1);
        System.arraycopy(in, 1, s, 2, in.length - 1);
        return new NDArray[] {lambda.reshape(new ai.djl.ndarray.types.Shape(s)), lambda.getManager().zeros(
                new ai.djl.ndarray.types.Shape(s[0], s[1]), lambda.getDataType())};
    }

    /** Row-major flattening keeps the element order, so the variables pass through. */
    @Override
    public int[] encode(LinearProgram lp, int[] in, int[] inShape, double[] inLo, double[] inHi, boolean exact) {
        return in;
    }
}
