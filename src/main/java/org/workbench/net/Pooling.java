package org.workbench.net;

/** The window geometry that max and average pooling share, with PyTorch's output-size rule (ceil mode included). */
public record Pooling(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, boolean ceilMode) {
    public Pooling {
        if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || padH < 0 || padW < 0)
            throw new IllegalArgumentException("pooling needs kernel and stride >= 1 and padding >= 0");
        if (2 * padH > kernelH || 2 * padW > kernelW)
            throw new IllegalArgumentException("pooling padding must be at most half the kernel");
    }

    static int outSize(int in, int k, int s, int p, boolean ceil) {
        int span = in + 2 * p - k;
        int out = (ceil ? Math.floorDiv(span + s - 1, s) : Math.floorDiv(span, s)) + 1;
        if (ceil && (long) (out - 1) * s >= in + p) out--; // the last window must start inside the input or left padding
        return out;
    }

    int[] outputShape(String type, int[] in) {
        if (in.length != 3) throw new IllegalArgumentException(type + " expects input [C, H, W], got " + Layer.show(in));
        int h = outSize(in[1], kernelH, strideH, padH, ceilMode), w = outSize(in[2], kernelW, strideW, padW, ceilMode);
        if (h < 1 || w < 1) throw new IllegalArgumentException(type + " window larger than its padded input " + Layer.show(in));
        return new int[] {in[0], h, w};
    }

    ai.djl.ndarray.types.Shape kernel() {
        return new ai.djl.ndarray.types.Shape(kernelH, kernelW);
    }

    ai.djl.ndarray.types.Shape stride() {
        return new ai.djl.ndarray.types.Shape(strideH, strideW);
    }

    ai.djl.ndarray.types.Shape pad() {
        return new ai.djl.ndarray.types.Shape(padH, padW);
    }
}
