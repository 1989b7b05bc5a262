package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;

/** Row-major reshape of each example to {@code shape} (fully resolved, no -1 or 0); Flatten is the common case. */
public record Reshape(int[] shape) implements AttackOnly {
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
}
