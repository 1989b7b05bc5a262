package org.workbench.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Projections of a batch of perturbations (float32 tensors, batch first) onto l2 balls, boxed or not. */
final class Projection {
    private Projection() {}

    /** Per-sample l2 norms, shaped [B, 1, ..., 1] so they broadcast against the batch. */
    static NDArray rowNorms(NDArray v) {
        long b = v.getShape().get(0);
        long[] s = new long[v.getShape().dimension()];
        java.util.Arrays.fill(s, 1);
        s[0] = b;
        return v.reshape(b, -1).norm(new int[] {1}).reshape(new Shape(s));
    }

    /**
     * The Euclidean projection of v onto {d : ||d|| <= eps, lo <= d <= hi} (lo <= 0 <= hi). The KKT conditions
     * give d = clip(v / (1 + lambda), lo, hi) with the smallest lambda >= 0 whose d fits in the ball, and ||d||
     * falls as lambda grows, so lambda is found by bisection per sample.
     */
    static NDArray l2BallBox(NDArray v, NDArray lo, NDArray hi, double eps) {
        NDArray n = rowNorms(v);
        if (lo == null) return v.mul(n.maximum((float) eps).pow(-1f).mul((float) eps));
        NDArray lamLo = n.zerosLike();
        NDArray lamHi = n.div((float) eps).sub(1f).maximum(0f);
        for (int it = 0; it < 30; it++) {
            NDArray lam = lamLo.add(lamHi).div(2f);
            NDArray over = rowNorms(v.div(lam.add(1f)).maximum(lo).minimum(hi)).gt((float) eps);
            lamLo = ai.djl.ndarray.NDArrays.where(over, lam, lamLo);
            lamHi = ai.djl.ndarray.NDArrays.where(over, lamHi, lam);
        }
        return v.div(lamHi.add(1f)).maximum(lo).minimum(hi);
    }
}
