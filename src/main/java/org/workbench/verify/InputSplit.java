package org.workbench.verify;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.workbench.net.TorchNet;
import org.workbench.relax.NeuronBounds;
import org.workbench.spec.LinearConstraint;

/**
 * Branch and bound on the input box (for low-dimensional inputs such as ACAS Xu's five): CROWN bounds every
 * constraint over a batch of boxes; a box is safe when each unsafe conjunction has a constraint that cannot
 * hold anywhere in it; otherwise its centre is tried as a counterexample and it is split in two along the input
 * with the largest influence on its bounds (width times the magnitude of CROWN's input coefficients).
 */
final class InputSplit {
    /** Outcome of a search: SAFE (every box closed), FOUND (x is a counterexample), or UNKNOWN (time out). */
    record Outcome(String status, double[] x, long boxes) {}

    private final TorchNet net64;
    private final Falsifier falsifier;
    private final int batch;

    InputSplit(TorchNet net64, Falsifier falsifier, int batch) {
        this.net64 = net64;
        this.falsifier = falsifier;
        this.batch = batch;
    }

    Outcome run(double[] lo, double[] hi, List<List<LinearConstraint>> dnf, long deadlineNanos) {
        List<LinearConstraint> all = new ArrayList<>();
        List<int[]> groups = new ArrayList<>();
        for (List<LinearConstraint> conj : dnf) {
            int[] g = new int[conj.size()];
            for (int m = 0; m < conj.size(); m++) {
                g[m] = all.size();
                all.add(conj.get(m));
            }
            groups.add(g);
        }
        // Upper bounds of -c·y give lower bounds of c·y: a constraint c·y <= d is impossible where min c·y > d.
        double[][] rows = new double[all.size()][];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = all.get(r).coef().clone();
            for (int k = 0; k < rows[r].length; k++) rows[r][k] = -rows[r][k];
        }
        double[] span = new double[lo.length];
        for (int k = 0; k < lo.length; k++) span[k] = Math.max(hi[k] - lo[k], 1e-300);
        Deque<double[][]> queue = new ArrayDeque<>();
        queue.add(new double[][] {lo.clone(), hi.clone()});
        long boxes = 0;
        while (!queue.isEmpty()) {
            if (System.nanoTime() > deadlineNanos) return new Outcome("unknown", null, boxes);
            List<double[][]> part = new ArrayList<>();
            while (!queue.isEmpty() && part.size() < batch) part.add(queue.pollLast());
            boxes += part.size();
            double[][] bl = new double[part.size()][], bh = new double[part.size()][], centres = new double[part.size()][];
            for (int i = 0; i < part.size(); i++) {
                bl[i] = part.get(i)[0];
                bh[i] = part.get(i)[1];
                centres[i] = new double[lo.length];
                for (int k = 0; k < lo.length; k++) centres[i][k] = (bl[i][k] + bh[i][k]) / 2;
            }
            double[][] influence = new double[part.size()][lo.length];
            double[][] up = NeuronBounds.upperAndInfluence(net64, bl, bh, rows, NeuronBounds.Method.CROWN, influence);
            double[][] y = net64.logits(centres);
            // The open box whose centre comes closest to satisfying a conjunction gets a short gradient search:
            // rare counterexamples sit in boxes the bounds cannot close, long before centres land on them.
            double closest = Double.POSITIVE_INFINITY;
            int closestBox = -1;
            List<LinearConstraint> closestConj = null;
            for (int i = 0; i < part.size(); i++) {
                boolean open = false;
                for (int[] g : groups) {
                    boolean impossible = false;
                    for (int r : g) if (Verifier.impossible(-up[i][r], all.get(r).rhs())) impossible = true;
                    if (impossible) continue;
                    open = true;
                    List<LinearConstraint> conj = new ArrayList<>();
                    for (int r : g) conj.add(all.get(r));
                    if (Falsifier.satisfies(conj, y[i])) return new Outcome("found", centres[i], boxes);
                    double t = Double.NEGATIVE_INFINITY;
                    for (LinearConstraint c : conj) t = Math.max(t, c.excess(y[i]));
                    if (t < closest) {
                        closest = t;
                        closestBox = i;
                        closestConj = conj;
                    }
                }
                if (!open) continue;
                int dim = 0, widest = 0;
                for (int k = 1; k < lo.length; k++) {
                    if (influence[i][k] > influence[i][dim]) dim = k;
                    if ((bh[i][k] - bl[i][k]) / span[k] > (bh[i][widest] - bl[i][widest]) / span[widest]) widest = k;
                }
                // The coefficients see only the linear part of the bound: looseness from unstable neurons can sit on
                // an input they barely weigh, so an input left 64 times wider than the chosen one is split instead.
                if (!(influence[i][dim] > 0)
                        || (bh[i][dim] - bl[i][dim]) / span[dim] * 64 < (bh[i][widest] - bl[i][widest]) / span[widest]) dim = widest;
                if (bh[i][dim] - bl[i][dim] <= 1e-9 * span[dim]) {
                    // A box this small that bounds cannot close sits on the property's edge: if anything, a search
                    // inside it can still find a counterexample; it can no longer be proven.
                    for (int[] g : groups) {
                        List<LinearConstraint> conj = new ArrayList<>();
                        for (int r : g) conj.add(all.get(r));
                        double[] x = falsifier.search(bl[i], bh[i], conj, 8, 20);
                        if (x != null) return new Outcome("found", x, boxes);
                    }
                    return new Outcome("unknown", null, boxes);
                }
                double mid = (bl[i][dim] + bh[i][dim]) / 2;
                double[] h1 = bh[i].clone(), l2 = bl[i].clone();
                h1[dim] = mid;
                l2[dim] = mid;
                queue.add(new double[][] {bl[i], h1});
                queue.add(new double[][] {l2, bh[i]});
            }
            if (closestBox >= 0) {
                double[] x = falsifier.search(bl[closestBox], bh[closestBox], closestConj, 4, 15);
                if (x != null) return new Outcome("found", x, boxes);
            }
        }
        return new Outcome("safe", null, boxes);
    }
}
