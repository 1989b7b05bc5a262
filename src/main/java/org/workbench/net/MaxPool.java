package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** 2-d max pooling over [C, H, W] (padding counts as minus infinity, as in ONNX and PyTorch). */
public record MaxPool(Pooling window) implements AttackOnly {
    @Override
    public String type() {
        return "maxpool";
    }

    @Override
    public int[] outputShape(int[] in) {
        return window.outputShape(type(), in);
    }

    @Override
    public NDArray forward(NDArray x, NDList p) {
        return x.getNDArrayInternal().maxPool(window.kernel(), window.stride(), window.pad(), window.ceilMode());
    }
}
