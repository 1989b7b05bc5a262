package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * 2-d average pooling over [C, H, W]; with {@code window} null, the global average (output [C, 1, 1]).
 * {@code countPadding} says whether padded positions count in the divisor (ONNX's count_include_pad).
 */
public record AvgPool(Pooling window, boolean countPadding) implements AttackOnly {
    public static AvgPool global() {
        return new AvgPool(null, false);
    }

    @Override
    public String type() {
        return window == null ? "global-avgpool" : "avgpool";
    }

    @Override
    public int[] outputShape(int[] in) {
        if (window != null) return window.outputShape(type(), in);
        if (in.length < 2) throw new IllegalArgumentException("global average pooling expects [C, ...], got " + Layer.show(in));
        int[] out = new int[in.length];
        java.util.Arrays.fill(out, 1);
        out[0] = in[0];
        return out;
    }

    @Override
    public NDArray forward(NDArray x, NDList p) {
        if (window == null) {
            int[] axes = new int[(int) x.getShape().dimension() - 2];
            for (int i = 0; i < axes.length; i++) axes[i] = i + 2;
            return x.mean(axes, true);
        }
        return x.getNDArrayInternal().avgPool(window.kernel(), window.stride(), window.pad(), window.ceilMode(), countPadding);
    }
}
