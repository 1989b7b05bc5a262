package org.workbench.relax;

/**
 * Ends an Adam search on slopes once {@code patience} steps in a row have not lowered the summed bound below the best
 * sum seen (auto_LiRPA's early_stop_patience, 10 by default there); 0 never ends one early. The best bound of each row
 * is kept by the caller whatever the step, so stopping early can cost tightness, never soundness.
 */
final class EarlyStop {
    /** auto_LiRPA's default. */
    static final int DEFAULT_PATIENCE = 10;
    private final int patience;
    private double best = Double.POSITIVE_INFINITY;
    private int since;

    EarlyStop(int patience) {
        if (patience < 0) throw new IllegalArgumentException("patience must be >= 0");
        this.patience = patience;
    }

    /** Records one step's summed bound; true when the search should stop. */
    boolean stalled(double total) {
        if (total < best) {
            best = total;
            since = 0;
        } else {
            since++;
        }
        return patience > 0 && since >= patience;
    }
}
