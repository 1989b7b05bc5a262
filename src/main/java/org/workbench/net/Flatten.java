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
        return reshapeBack(lambda, lo);
    }

    /**
     * The linear rule of every row-major reshape (element order kept): the coefficients take the shape of the
     * input {@code lo} [B, ...], no offset.
     */
    static NDArray[] reshapeBack(NDArray lambda, NDArray lo) {
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
