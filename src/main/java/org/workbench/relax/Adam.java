package org.workbench.relax;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
        // Bias corrections folded into one step size (the same update as m̂ / (sqrt(v̂) + eps)); the moments are
        // updated in place and every temporary lives in a manager closed at the end, so a step allocates little.
        double c1 = 1 - Math.pow(0.9, t), c2 = 1 - Math.pow(0.999, t);
        double stepSize = lr * Math.sqrt(c2) / c1, eps = 1e-12 * Math.sqrt(c2);
        try (NDManager tmp = m.newSubManager()) {
            for (int i = 0; i < params.size(); i++) {
                NDArray p = params.get(i);
                if (p == null) continue;
                NDArray g = p.getGradient();
                g.attach(tmp);
                m1.get(i).muli(0.9).addi(g.mul(0.1));
                m2.get(i).muli(0.999).addi(g.square().muli(0.001));
                NDArray denominator = m2.get(i).sqrt();
                denominator.attach(tmp);
                NDArray update = m1.get(i).div(denominator.addi(eps));
                update.attach(tmp);
                NDArray old = p.stopGradient();
                old.attach(tmp);
                NDArray next = old.sub(update.muli(stepSize));
                next = unit ? next.clip(0, 1) : next.maximum(0);
                next.attach(m);
                params.set(i, next);
                p.close();
            }
        }
    }
}
