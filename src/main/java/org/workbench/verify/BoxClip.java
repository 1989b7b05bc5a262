package org.workbench.verify;

/**
 * Shrinks an input box to the part where an unsafe conjunction can still hold (the clipping of Clip-and-Verify).
 * CROWN gives, for each constraint's row over the box, a linear bound row·y <= a·x + c; the constraint can hold only
 * where a·x + c reaches its threshold, and since the other inputs add at most their maximum over the box, each input
 * alone is confined to an interval. The intersection over the conjunction's constraints is the clipped box; every
 * point of the box where the conjunction holds is in it, so splitting the clipped box instead loses nothing.
 */
final class BoxClip {
    private BoxClip() {}

    /** Relative slack on each threshold: far above float64 rounding of the bound, so clipping never cuts a point it must keep. */
    private static final double SLACK = 1e-9;

    /**
     * The clipped box {lo, hi}, or null when no point of [lo, hi] can reach every threshold. For constraint r:
     * rows_r·y <= a_r·x + up_r - max over [lo, hi] of a_r·x (a_r = coef[r]), and the conjunction needs
     * rows_r·y >= need[r].
     */
    static double[][] clip(double[] lo, double[] hi, double[][] coef, double[] up, double[] need) {
        int d = lo.length;
        double[] l = lo.clone(), h = hi.clone();
        double[] offset = new double[coef.length], scale = new double[coef.length];
        for (int r = 0; r < coef.length; r++) {
            double max = 0, magnitude = 0;
            for (int k = 0; k < d; k++) {
                max += Math.max(coef[r][k] * lo[k], coef[r][k] * hi[k]);
                magnitude += Math.abs(coef[r][k]) * Math.max(Math.abs(lo[k]), Math.abs(hi[k]));
            }
            offset[r] = up[r] - max;
            scale[r] = 1 + magnitude + Math.abs(up[r]) + Math.abs(need[r]);
        }
        // A second sweep uses the box the first left: each constraint's room shrinks as the others clip.
        for (int sweep = 0; sweep < 2; sweep++) {
            for (int r = 0; r < coef.length; r++) {
                double[] a = coef[r];
                double max = 0;
                for (int k = 0; k < d; k++) max += Math.max(a[k] * l[k], a[k] * h[k]);
                double room = max + offset[r] - need[r] + SLACK * scale[r];
                if (Double.isNaN(room)) return new double[][] {lo.clone(), hi.clone()}; // no usable bound: keep the box
                if (room < 0) return null;
                for (int k = 0; k < d; k++) {
                    // Input k must give a_k·x_k >= its maximum minus the room.
                    if (a[k] > 0) l[k] = Math.max(l[k], h[k] - room / a[k]);
                    else if (a[k] < 0) h[k] = Math.min(h[k], l[k] + room / -a[k]);
                }
            }
        }
        return new double[][] {l, h};
    }
}
