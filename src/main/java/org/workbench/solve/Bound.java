package org.workbench.solve;

/**
 * A solver's answer for one sample at one eps: per class j a bound on max over the threat set of
 * z_j - z_y (NaN for j = y), a status, and for attacks the checked witness (null otherwise).
 *
 * <p>For exact solvers {@code margins} is the proven upper end and {@code lowerMargins} the best value found
 * (equal when solved to optimality).
 *
 * <p>Statuses: "attacked" (a witness re-checked in float64 is misclassified inside the threat set),
 * "verified" (every upper bound is below 0), "open" (neither).
 */
public record Bound(double[] margins, String status, double[] witness, double seconds, double[] lowerMargins) {

    /** Attacks and relaxations give one number per class; exact solvers add the lower end of their bracket. */
    public Bound(double[] margins, String status, double[] witness, double seconds) {
        this(margins, status, witness, seconds, null);
    }

    public static final String ATTACKED = "attacked";
    public static final String VERIFIED = "verified";
    public static final String OPEN = "open";

    /** The largest margin over classes j != y: the sample is attacked when a lower bound of it is > 0. */
    public double worst() {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : margins) if (!Double.isNaN(v)) m = Math.max(m, v);
        return m;
    }
}
