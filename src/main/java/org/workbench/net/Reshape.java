package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;

/** Row-major reshape of each example to {@code shape} (fully resolved, no -1 or 0); Flatten is the common case. */
public record Reshape(int[] shape) implements Layer {
    @Override
    public String type() {
        return "reshape";
    }

    @Override
    public int[] outputShape(int[] in) {
        if (Layer.size(in) != Layer.size(shape))
            throw new IllegalArgumentException("reshape of " + Layer.show(in) + " to " + Layer.show(shape) + " changes the size");
        return shape.clone();
    }

    @Override
    public NDArray forward(NDArray x, NDList p) {
        long[] s = new long[shape.length + 1];
        s[0] = x.getShape().get(0);
        for (int i = 0; i < shape.length; i++) s[i + 1] = shape[i];
        return x.reshape(new Shape(s));
    }

    @Override
    public boolean affine() {
        return true;
    }

    @Override
    public NDArray[] interval(NDArray lo, NDArray hi, NDList p) {
        return new NDArray[] {forward(lo, p), forward(hi, p)};
    }

    /** Row-major reshape keeps the element order: Flatten's rule. */
    @Override
    public NDArray[] backward(NDArray lambda, NDList p, NDArray lo, NDArray hi, NDArray lowerSlope) {
        return Flatten.reshapeBack(lambda, lo);
    }

    @Override
    public int[] encode(LinearProgram lp, int[] in, int[] inShape, double[] inLo, double[] inHi, boolean exact) {
        return in;
    }
}
