package org.workbench.relax;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.workbench.net.Relu;
import org.workbench.solve.NonFinite;

/** alpha-CROWN on the root's intermediate bounds, before branch and bound: {@link BetaCrown}'s first step. */
final class RootAlpha {
    private final BetaCrown bc;

    RootAlpha(BetaCrown bc) {
        this.bc = bc;
    }

    /**
     * Tightens the root bounds of every ReLU input after the first by alpha-CROWN: for each neuron that CROWN
     * leaves unstable, rows +e_j and -e_j with their own slopes for all earlier ReLUs, optimized by Adam; each row's
     * best iterate, bounded once more in float64, is intersected with CROWN's. Layers are taken in order, so each uses
     * the tightened ones before it.
     */
    void tighten(Region box, long deadlineNanos, BetaCrown.Refiner refiner) {
        BetaCrown.Domain none = new BetaCrown.Domain(List.of(), null, null);
        boolean reluBefore = false;
        for (int k = 0; k < bc.layers.size(); k++) {
            if (!(bc.layers.get(k) instanceof Relu)) continue;
            if (System.nanoTime() > deadlineNanos) return;
            if (!reluBefore) {
                reluBefore = true;
                continue;
            }
            double[] l = bc.rootLo.get(k), u = bc.rootHi.get(k);
            List<Integer> unstable = new ArrayList<>();
            for (int j = 0; j < l.length; j++) if (l[j] < 0 && u[j] > 0) unstable.add(j);
            if (unstable.isEmpty()) continue;
            int r = 2 * unstable.size(), n = l.length;
            double[] eye = new double[r * n];
            for (int q = 0; q < unstable.size(); q++) {
                eye[q * n + unstable.get(q)] = 1;
                eye[(unstable.size() + q) * n + unstable.get(q)] = -1;
            }
            long[] shape = bc.rootBounds.get(k)[0].getShape().getShape();
            double[] best;
            try (NDManager m = bc.manager.newSubManager()) {
                // Searched in float32 like the subdomains' slopes (ResNet-4B's layers took 65 s in float64, 35 s so),
                // each row's best iterate then bounded once in float64: any slopes in [0, 1] give a sound bound.
                SubdomainTensors t64 = new SubdomainTensors(m, bc.root, List.of(none), r);
                boolean[] feeds = GraphWalk.feeds(bc.net.network(), bc.prop.in(k));
                for (int i = 0; i < bc.layers.size(); i++) if (!feeds[i]) t64.alpha.set(i, null);
                SubdomainTensors t = BetaCrown.SEARCH_TYPE == DataType.FLOAT64 ? t64 : t64.as(BetaCrown.SEARCH_TYPE, m);
                Region searchBox = BetaCrown.SEARCH_TYPE == DataType.FLOAT64 ? box : box.as(BetaCrown.SEARCH_TYPE);
                BestIterate kept = new BestIterate(m, r, t.alpha, t.beta);
                Adam adam = new Adam(m, t.alpha, 0.1);
                EarlyStop stop = new EarlyStop(bc.patience);
                for (int it = 0; it <= bc.intermediateIterations; it++) {
                    try (NDManager sm = m.newSubManager()) {
                        NDArray spec = sm.create(eye, SubdomainTensors.withBatch(shape, 1, r)).toType(BetaCrown.SEARCH_TYPE, false);
                        for (NDArray a : t.alpha) if (a != null) a.setRequiresGradient(true);
                        NDArray up;
                        try (ThreadGradients gc = new ThreadGradients()) {
                            up = bc.pass(spec, t, searchBox, null, bc.prop.in(k), bc.params(BetaCrown.SEARCH_TYPE))[0];
                            if (it < bc.intermediateIterations) gc.backward(up.sum());
                        }
                        double[] v = up.stopGradient().toType(DataType.FLOAT64, false).toDoubleArray();
                        kept.offer(v, t.alpha, t.beta);
                        double total = 0;
                        for (double x : v) total += x;
                        if (stop.stalled(total)) break;
                        if (it < bc.intermediateIterations) adam.step(it + 1, true);
                    }
                }
                List<NDArray> a = new ArrayList<>(t64.alpha), be = new ArrayList<>(t64.beta);
                kept.install(m, a, be);
                best = bc.pass(m.create(eye, SubdomainTensors.withBatch(shape, 1, r)), t64.withParams(a, be), box, null, bc.prop.in(k), bc.params64)[0]
                        .toDoubleArray();
            }
            for (int q = 0; q < unstable.size(); q++) {
                int j = unstable.get(q);
                // A NaN from a failed pass is no bound: the earlier, sound one stays.
                u[j] = NonFinite.tighterUpper(u[j], best[q]);
                l[j] = NonFinite.tighterLower(l[j], -best[unstable.size() + q]);
            }
            if (refiner != null && System.nanoTime() < deadlineNanos) refiner.refine(k, bc.rootLo, bc.rootHi);
            if (org.workbench.config.Verbose.on()) {
                int still = 0;
                double width = 0;
                for (int j : unstable) {
                    if (l[j] < 0 && u[j] > 0) still++;
                    width += u[j] - l[j];
                }
                System.err.printf("bab: layer %d: %d unstable after CROWN, %d after alpha, mean width %.4f%n", k, unstable.size(), still, width / unstable.size());
            }
            Shape sh = new Shape(shape);
            bc.rootBounds.set(k, new NDArray[] {bc.manager.create(l, sh), bc.manager.create(u, sh)});
        }
    }
}
