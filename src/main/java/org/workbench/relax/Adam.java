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
        for (int i = 0; i < params.size(); i++) {
            NDArray p = params.get(i);
            if (p == null) continue;
            NDArray g = p.getGradient();
            NDArray mm = m1.get(i).mul(0.9).add(g.mul(0.1)), vv = m2.get(i).mul(0.999).add(g.square().mul(0.001));
            NDArray step = mm.div(1 - Math.pow(0.9, t)).div(vv.div(1 - Math.pow(0.999, t)).sqrt().add(1e-12)).mul(lr);
            NDArray next = p.stopGradient().sub(step);
            next = unit ? next.clip(0, 1) : next.maximum(0);
            for (NDArray keep : new NDArray[] {mm, vv, next}) keep.attach(m);
            m1.set(i, mm);
            m2.set(i, vv);
            params.set(i, next);
        }
    }
}
