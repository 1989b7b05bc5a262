package org.workbench.problem;

import java.util.List;

/**
 * The threat set of a sample x at radius eps: the norm ball {x' : ||x' - x|| <= eps}, intersected with the
 * domain box [lo, hi] when {@code clip} is on (the tutorial's l-inf attacks leave it off).
 */
public record Threat(Norm norm, List<Double> eps, boolean clip, double lo, double hi, EpsSearch search) {

    /** {@code search}: null for the fixed radii {@code eps}; else the radii are searched per sample and eps is empty. */
    public Threat {
        eps = List.copyOf(eps);
    }

    public Threat(Norm norm, List<Double> eps, boolean clip, double lo, double hi) {
        this(norm, eps, clip, lo, hi, null);
    }

    /** Lower end of coordinate k's range for the l-inf ball (for l2, only the box part). */
    public double lower(double xk, double e) {
        double l = norm == Norm.LINF ? xk - e : Double.NEGATIVE_INFINITY;
        return clip ? Math.max(l, lo) : l;
    }

    public double upper(double xk, double e) {
        double u = norm == Norm.LINF ? xk + e : Double.POSITIVE_INFINITY;
        return clip ? Math.min(u, hi) : u;
    }

    /**
     * Projects a candidate into the threat set of x, in float64: for l-inf by clamping, for l2 by scaling the
     * perturbation onto the ball and then clamping to the box (clamping toward x only shortens it).
     */
    public double[] project(double[] x, double[] cand, double e) {
        double[] out = new double[x.length];
        if (norm == Norm.L2) {
            double s = 0;
            for (int k = 0; k < x.length; k++) s += (cand[k] - x[k]) * (cand[k] - x[k]);
            double n = Math.sqrt(s);
            // The factor below 1 keeps rounding in the rescale from landing a hair outside the ball.
            double scale = n > e ? e / n * (1 - 1e-12) : 1;
            for (int k = 0; k < x.length; k++) out[k] = x[k] + (cand[k] - x[k]) * scale;
        } else {
            System.arraycopy(cand, 0, out, 0, x.length);
        }
        for (int k = 0; k < x.length; k++) out[k] = Math.min(Math.max(out[k], lower(x[k], e)), upper(x[k], e));
        return out;
    }

    /** Whether x' lies in the threat set of x (tolerance 1e-9 on the radius for float64 rounding). */
    public boolean contains(double[] x, double[] xp, double e) {
        double acc = 0;
        for (int k = 0; k < x.length; k++) {
            double d = Math.abs(xp[k] - x[k]);
            if (!Double.isFinite(xp[k])) return false;
            if (clip && (xp[k] < lo || xp[k] > hi)) return false;
            acc = norm == Norm.LINF ? Math.max(acc, d) : acc + d * d;
        }
        double dist = norm == Norm.LINF ? acc : Math.sqrt(acc);
        return dist <= e + 1e-9;
    }

    /** ||x' - x|| in this threat's norm. */
    public double distance(double[] x, double[] xp) {
        double acc = 0;
        for (int k = 0; k < x.length; k++) {
            double d = Math.abs(xp[k] - x[k]);
            acc = norm == Norm.LINF ? Math.max(acc, d) : acc + d * d;
        }
        return norm == Norm.LINF ? acc : Math.sqrt(acc);
    }
}
