package org.workbench.relax;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;

/**
 * Projected Adam on a list of tensors (nulls skipped), for the slopes and multipliers of alpha- and beta-CROWN:
 * each step replaces the list's tensors in place and keeps the new ones in the given manager.
 */
final class Adam {
    private final NDManager m;
    private final List<NDArray> params;
    private final List<NDArray> m1 = new ArrayList<>(), m2 = new ArrayList<>();
    private final double lr;

    Adam(NDManager m, List<NDArray> params, double lr) {
        this.m = m;
        this.params = params;
        this.lr = lr;
        for (NDArray p : params) {
            m1.add(p == null ? null : p.zerosLike());
            m2.add(p == null ? null : p.zerosLike());
        }
    }

    /** Step t (from 1), then back onto [0, 1] (unit) or [0, inf). Gradients must have been computed. */
    void step(int t, boolean unit) {
        // Bias corrections folded into one step size (the same update as m̂ / (sqrt(v̂) + eps)). libtorch's fused update
        // (through DJL's JNI) does the moments and the step in one native call instead of a dozen small tensor ops per
        // parameter, which on branch and bound's [B, S, n] slopes cost more in dispatch than in arithmetic.
        double c1 = 1 - Math.pow(0.9, t), c2 = 1 - Math.pow(0.999, t);
        float stepSize = (float) (lr * Math.sqrt(c2) / c1), eps = (float) (1e-12 * Math.sqrt(c2));
        for (int i = 0; i < params.size(); i++) {
            NDArray p = params.get(i);
            if (p == null) continue;
            NDArray g = p.getGradient();
            JniUtils.adamUpdate((PtNDArray) p, (PtNDArray) g, (PtNDArray) m1.get(i), (PtNDArray) m2.get(i), 0f, stepSize, 0f, 1f, -1f,
                                0.9f, 0.999f, eps, false);
            g.close();
            // Detached first: outside ThreadGradients grad mode may be on, and the next step needs a fresh leaf.
            NDArray updated = p.stopGradient(), next = unit ? updated.clip(0, 1) : updated.maximum(0);
            updated.close();
            next.attach(m);
            params.set(i, next);
            p.close();
        }
    }
}
