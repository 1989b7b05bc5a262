package org.workbench.exact;

import java.util.List;
import org.workbench.net.LinearProgram;

/**
 * A MIP solver holding one encoded network, re-solved with new objectives. What it answers is split the way
 * soundness needs it: a bound the solver has proven (widened by {@link #allowance}) and, separately, an
 * incumbent that the caller re-checks in float64 before it counts for anything.
 */
interface MipBackend extends LinearProgram, AutoCloseable {

    /** Backend names the presets may give. */
    List<String> NAMES = List.of("scip", "highs");

    /**
     * The solver's proven bound, pushed outward by this much before it is reported. SCIP and HiGHS meet their
     * constraints to a feasibility tolerance of 1e-6 (scaled by row size), so their "proven" optimum is the
     * optimum of a slightly perturbed problem: on the tutorial's case SCIP's came out 3.3e-7 below Gurobi's.
     * 1e-6 (1 + |b|) covers that with room to spare for networks with margins of order 1 to 100.
     */
    static double allowance(double bound) {
        return 1e-6 * (1 + Math.abs(bound));
    }

    /**
     * @param status OPTIMAL (solved to the requested gap), FEASIBLE (stopped with an incumbent), INFEASIBLE (the
     *     solver proved that no point meets the constraints, to its tolerances) or NONE (nothing)
     * @param bound a sound bound on the optimum in the objective's direction (upper when maximizing), allowance
     *     included; +-Infinity when the solver proved none
     * @param value the incumbent's objective as the solver computed it (NaN without an incumbent); not a bound
     * @param x the incumbent's values of the variables asked for, or null without an incumbent
     */
    record Outcome(Status status, double bound, double value, double[] x) {}

    enum Status { OPTIMAL, FEASIBLE, INFEASIBLE, NONE }

    /**
     * Optimizes sum_k coefs[k] v[vars[k]] for at most {@code seconds} (wall clock).
     *
     * @param stopAt when not NaN, the solver may stop as soon as an incumbent reaches this value (objective
     *     direction), since the caller only needs to know that one does
     * @param decidedAt when not NaN, the solver may stop as soon as its proven bound is past this value
     * @param read variables whose incumbent values to return
     */
    Outcome optimize(int[] vars, double[] coefs, boolean maximize, double seconds, double stopAt, double decidedAt,
                     int[] read);

    /**
     * A starting point for the solves that follow: a value for every variable ({@link Encoding#solution}). Without
     * an incumbent SCIP can stop at a bound limit before finding one, and OR-Tools then reports no bound at all.
     */
    void hint(int[] vars, double[] values);

    /**
     * From now on only the proven bound matters, not the incumbent (bound refinement): the solver may search for it
     * alone. Does nothing by default.
     */
    default void boundOnly() {}

    /** The number of 0/1 variables added so far. */
    int binaries();

    @Override
    void close();

    /**
     * @param threads HiGHS's thread count; SCIP always runs on one
     * @param gap absolute optimality gap on the objective at which the solver may stop; the reported bound stays
     *     the proven one, so the gap only trades tightness for time
     */
    static MipBackend of(String name, int threads, double gap) {
        return switch (name) {
            case "scip" -> new ScipBackend(gap);
            case "highs" -> new HighsBackend(threads, gap);
            default -> throw new IllegalArgumentException("unknown MIP backend '" + name + "'; expected one of " + NAMES);
        };
    }
}
