package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** max(x, 0), elementwise. */
public record Relu() implements Layer {
    @Override
    public String type() {
        return "relu";
    }

    @Override
    public int[] outputShape(int[] in) {
        return in.clone();
    }

    @Override
    public NDArray forward(NDArray x, NDList p) {
        return x.maximum(0);
    }
}
