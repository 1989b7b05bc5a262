package org.workbench.solve;

import java.util.List;

/**
 * A solver of the inner maximization max over the threat set of the margins z_j - z_y. Attacks return
 * values they reached (lower bounds), exact solvers the maximum or a bracket, relaxations upper bounds.
 */
public interface InnerSolver {
    enum Kind {
        LOWER, EXACT, UPPER;

        public String key() {
            return name().toLowerCase();
        }
    }

    String name();

    Kind kind();

    /** One bound per sample of the batch, at radius eps. */
    List<Bound> solve(Batch batch, double eps);
}
