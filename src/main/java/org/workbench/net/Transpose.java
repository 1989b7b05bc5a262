package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** Permutes the non-batch axes: output axis i is input axis {@code perm[i]} (the batch axis stays first). */
public record Transpose(int[] perm) implements AttackOnly {
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
}
