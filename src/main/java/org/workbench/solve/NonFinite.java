package org.workbench.solve;

/**
 * NaN and infinities from a numerical failure are never numbers a decision is made from. A solver's bound passes
 * through {@link #guard} before it is stored: a non-finite upper end becomes +∞ (no bound), a non-finite lower end
 * −∞ (nothing reached), and a status that rested on such a value becomes {@code open}, with the reason returned so
 * that the run can log it.
 *
 * <p>Only these values are legitimate: an upper end is finite or +∞ (a vacuous bound); a lower end is finite or −∞
 * (no point of the threat set evaluated). A finite network has finite logits, so anything else is a failure.
 */
public final class NonFinite {
    private NonFinite() {}

    /** The bound to store, and why it differs from the solver's (null when it does not). */
    public record Guarded(Bound bound, String reason) {}

    public static Guarded guard(Bound b, InnerSolver.Kind kind, int label) {
        double[] margins = b.margins().clone(), lower = b.lowerMargins() == null ? null : b.lowerMargins().clone();
        StringBuilder why = new StringBuilder();
        for (int j = 0; j < margins.length; j++) {
            if (j == label) continue;
            if (kind == InnerSolver.Kind.LOWER) {
                if (!validLower(margins[j])) {
                    note(why, j, margins[j], "lower");
                    margins[j] = Double.NEGATIVE_INFINITY;
                }
            } else if (!validUpper(margins[j])) {
                note(why, j, margins[j], "upper");
                margins[j] = Double.POSITIVE_INFINITY;
            }
            if (lower != null && !validLower(lower[j])) {
                note(why, j, lower[j], "lower");
                lower[j] = Double.NEGATIVE_INFINITY;
            }
        }
        if (why.length() == 0) return new Guarded(b, null);
        String status = b.status();
        if (status.equals(Bound.VERIFIED)) status = Bound.OPEN;
        if (status.equals(Bound.ATTACKED)) {
            // Attacked stands only on a float64-checked witness with a finite positive margin.
            double reached = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < margins.length; j++) if (j != label) reached = Math.max(reached, kind == InnerSolver.Kind.LOWER ? margins[j] : lower == null ? Double.NEGATIVE_INFINITY : lower[j]);
            if (b.witness() == null || !(reached > 0)) status = Bound.OPEN;
        }
        Bound out = new Bound(margins, status, status.equals(Bound.ATTACKED) ? b.witness() : null, b.seconds(), lower);
        return new Guarded(out, "non-finite bound (numerical failure): " + why + "; stored as no bound, status " + status);
    }

    /** An upper end: finite, or +∞ for no bound at all. */
    public static boolean validUpper(double v) {
        return Double.isFinite(v) || v == Double.POSITIVE_INFINITY;
    }

    /** A lower end: finite, or −∞ when no point was evaluated. */
    public static boolean validLower(double v) {
        return Double.isFinite(v) || v == Double.NEGATIVE_INFINITY;
    }

    /** The tighter of two upper bounds, a NaN one counting as no bound: min, where Math.min would return NaN. */
    public static double tighterUpper(double a, double b) {
        if (Double.isNaN(a)) return b;
        if (Double.isNaN(b)) return a;
        return Math.min(a, b);
    }

    /** The tighter of two lower bounds, a NaN one counting as no bound. */
    public static double tighterLower(double a, double b) {
        if (Double.isNaN(a)) return b;
        if (Double.isNaN(b)) return a;
        return Math.max(a, b);
    }

    private static void note(StringBuilder why, int j, double v, String side) {
        if (why.length() > 0) why.append(", ");
        why.append(side).append(" margin of class ").append(j).append(" was ").append(v);
    }
}
