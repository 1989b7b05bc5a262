package org.workbench.verify;

import java.util.List;
import org.workbench.spec.LinearConstraint;

/**
 * One step of look-ahead for the input split: a box is halved along every input in turn, CROWN bounds each half,
 * and the input whose worse half leaves the least room to meet an unsafe conjunction wins, if it clearly beats the
 * usual choice ({@link SplitChoice}). With CROWN's coefficients as the usual choice, the looseness of unstable ReLUs
 * could sit on an input they barely weigh (ACAS Xu 4_7 property 1: a gap of 62 left after 300,000 boxes; with
 * look-ahead proven in 963). Costs five times the bounds per box on ACAS Xu's five inputs.
 */
final class Lookahead {
    private Lookahead() {}

    /** CROWN's upper bounds of the spec rows (negated constraints) over each box: out[box][row]. */
    interface Bounds {
        double[][] upper(double[][] lo, double[][] hi);
    }

    /** How much better look-ahead's choice must be (relative to the usual choice's score) to replace it. */
    private static final double MARGIN = 0.1;

    /**
     * How far CROWN's bounds leave some conjunction open in a box: the largest lower bound of a constraint's
     * excess, least over the conjunctions (negative: open; +infinity: every conjunction closed).
     */
    static double room(double[] up, List<int[]> groups, List<LinearConstraint> all) {
        double least = Double.POSITIVE_INFINITY;
        for (int[] g : groups) {
            double room = Double.NEGATIVE_INFINITY;
            boolean impossible = false;
            for (int r : g) {
                if (Verifier.impossible(-up[r], all.get(r).rhs())) impossible = true;
                room = Math.max(room, -up[r] - all.get(r).rhs());
            }
            if (!impossible) least = Math.min(least, room);
        }
        return least;
    }

    /** Replaces dims[j], the usual split input of box j, where halving along another input is clearly better. */
    static int choose(double[][] lo, double[][] hi, int[] dims, Bounds bounds, List<int[]> groups, List<LinearConstraint> all) {
        int changed = 0;
        int d = lo[0].length, n = lo.length;
        double[][] cl = new double[n * d * 2][], ch = new double[n * d * 2][];
        for (int j = 0; j < n; j++)
            for (int k = 0; k < d; k++) {
                double mid = (lo[j][k] + hi[j][k]) / 2;
                int at = (j * d + k) * 2;
                cl[at] = lo[j];
                ch[at] = hi[j].clone();
                ch[at][k] = mid;
                cl[at + 1] = lo[j].clone();
                cl[at + 1][k] = mid;
                ch[at + 1] = hi[j];
            }
        double[][] up = bounds.upper(cl, ch);
        for (int j = 0; j < n; j++) {
            double[] score = new double[d];
            int best = dims[j];
            for (int k = 0; k < d; k++) {
                int at = (j * d + k) * 2;
                // An input the box holds fixed halves into two copies of the box: no progress, however it scores.
                score[k] = hi[j][k] > lo[j][k] ? Math.min(room(up[at], groups, all), room(up[at + 1], groups, all)) : Double.NEGATIVE_INFINITY;
            }
            for (int k = 0; k < d; k++) if (score[k] > score[best]) best = k;
            double usual = score[dims[j]];
            if (score[best] > usual + MARGIN * Math.abs(usual)) {
                dims[j] = best;
                changed++;
            }
        }
        return changed;
    }
}
