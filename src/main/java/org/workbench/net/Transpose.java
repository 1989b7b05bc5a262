package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * Permutes the non-batch axes: output axis i is input axis {@code perm[i]} (the batch axis stays first). An index
 * map, so its rules are exact: intervals permute, coefficients permute back, the encoding reorders the variables.
 */
public record Transpose(int[] perm) implements Layer {
    public Transpose {
        boolean[] seen = new boolean[perm.length];
        for (int a : perm) {
            if (a < 0 || a >= perm.length || seen[a])
                throw new IllegalArgumentException("transpose perm " + java.util.Arrays.toString(perm) + " is not a permutation");
            seen[a] = true;
        }
    }

    @Override
    public String type() {
        return "transpose";
    }

    @Override
    public int[] outputShape(int[] in) {
        if (in.length != perm.length)
            throw new IllegalArgumentException("transpose perm " + java.util.Arrays.toString(perm) + " does not fit " + Layer.show(in));
        int[] out = new int[in.length];
        for (int i = 0; i < in.length; i++) out[i] = in[perm[i]];
        return out;
    }

    @Override
    public NDArray forward(NDArray x, NDList p) {
        int[] axes = new int[perm.length + 1];
        for (int i = 0; i < perm.length; i++) axes[i + 1] = perm[i] + 1;
        return x.transpose(axes);
    }

    @Override
    public boolean affine() {
        return true;
    }

    @Override
    public NDArray[] interval(NDArray lo, NDArray hi, NDList p) {
        return new NDArray[] {forward(lo, p), forward(hi, p)};
    }

    /** Coefficients [B, S, ...output] moved back by the inverse permutation (input axis j is output axis inverse[j]). */
    @Override
    public NDArray[] backward(NDArray lambda, NDList p, NDArray lo, NDArray hi, NDArray lowerSlope) {
        int[] axes = new int[perm.length + 2];
        axes[1] = 1;
        for (int i = 0; i < perm.length; i++) axes[perm[i] + 2] = i + 2;
        NDArray offset = lambda.getManager().zeros(new ai.djl.ndarray.types.Shape(lambda.getShape().get(0), lambda.getShape().get(1)),
                lambda.getDataType());
        return new NDArray[] {lambda.transpose(axes), offset};
    }

    /** The output's variables are the input's, in the output's row-major order. */
    @Override
    public int[] encode(LinearProgram lp, int[] in, int[] inShape, double[] inLo, double[] inHi, boolean exact) {
        int n = perm.length;
        int[] out = outputShape(inShape), inStride = new int[n], idx = new int[n];
        for (int d = n - 1, st = 1; d >= 0; st *= inShape[d], d--) inStride[d] = st;
        int[] y = new int[in.length];
        for (int k = 0; k < y.length; k++) {
            int src = 0;
            for (int i = 0; i < n; i++) src += idx[i] * inStride[perm[i]];
            y[k] = in[src];
            for (int i = n - 1; i >= 0 && ++idx[i] == out[i]; i--) idx[i] = 0;
        }
        return y;
    }
}
