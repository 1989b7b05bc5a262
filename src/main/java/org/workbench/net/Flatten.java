package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** Flattens [C, H, W] (row-major, as PyTorch does) into one vector. */
public record Flatten() implements Layer {
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
}
