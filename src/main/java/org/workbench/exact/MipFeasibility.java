package org.workbench.exact;

import java.util.List;
import org.workbench.net.Network;
import org.workbench.net.TorchNet;
import org.workbench.spec.LinearConstraint;

/**
 * The verifier's exact step: does some x in the box [inLo, inHi] make the network's outputs Y = f(x) satisfy a
 * conjunction of constraints coef·Y <= rhs? Encoded as min t subject to t >= coef_m·Y - rhs_m for every m over the
 * exact ReLU MIP; the answer is yes exactly when the minimum is <= 0.
 *
 * <p>t is also capped at a small positive slack, which makes "no" a plain infeasibility proof that SCIP reaches by
 * pruning, with no incumbent needed (a bound limit instead leaves OR-Tools with no answer when it triggers before
 * SCIP has found a point). The slack keeps that proof on the safe side of the solver's tolerances.
 */
public final class MipFeasibility {
    private MipFeasibility() {}

    /** Slack for float64 re-checks and for the proven minimum, matching the solvers' feasibility tolerance. */
    static final double TOLERANCE = 1e-6;

    /** t is kept above this: how far inside the region a point lies does not change the answer. */
    private static final double T_FLOOR = -1;

    /** t's cap: infeasibility with t <= 2e-6 means min t > 2e-6, past the 1e-6 tolerances of the solvers. */
    private static final double T_CAP = 2 * TOLERANCE;

    public enum Status {
        /**
         * The solver proved min t > 0 past its tolerances (no point with t <= 2e-6, or a bound above the allowance):
         * no x in the box satisfies the conjunction.
         */
        INFEASIBLE,
        /** x, clamped into the box and re-evaluated in float64, satisfies every constraint within 1e-6. */
        FOUND,
        /** Neither: time limit, numerical trouble, or an incumbent that failed the float64 re-check. */
        UNKNOWN
    }

    /**
     * @param provenMin a number the true min of max(-1, max_m coef_m·Y - rhs_m) is not below: the solver's proven
     *     bound less its tolerance allowance, or 1e-6 after an infeasibility proof (-Infinity when none was proven)
     * @param x the re-checked point when FOUND, else null
     */
    public record Result(Status status, double provenMin, double[] x) {}

    /**
     * @param preLo bounds of each layer's input over the box (as {@link org.workbench.relax.NeuronBounds} gives them;
     *     an extra entry for the outputs is ignored): the big-M constants, so they must be sound for the whole box
     * @param backend "scip" or "highs" ({@code null} for scip)
     */
    public static Result check(Network net, TorchNet net64, double[] inLo, double[] inHi, List<double[]> preLo,
                               List<double[]> preHi, List<LinearConstraint> conjunction, double timeLimitSeconds,
                               String backend) {
        return check(net, net64, inLo, inHi, preLo, preHi, conjunction, timeLimitSeconds, backend, false);
    }

    /**
     * As above; {@code compact} substitutes affine layers away ({@link CompactProgram}): several times faster on
     * small boxes of networks with few inputs, slower on images.
     */
    public static Result check(Network net, TorchNet net64, double[] inLo, double[] inHi, List<double[]> preLo,
                               List<double[]> preHi, List<LinearConstraint> conjunction, double timeLimitSeconds,
                               String backend, boolean compact) {
        long start = System.nanoTime();
        int n = net.inputSize(), classes = net.numClasses();
        for (LinearConstraint c : conjunction)
            if (c.coef().length != classes)
                throw new IllegalArgumentException("constraint " + c + " has " + c.coef().length + " coefficients, the network has "
                        + classes + " outputs");
        MipBackend solver = MipBackend.of(backend == null ? "scip" : backend, 1, 0);
        try (MipBackend mip = compact ? new CompactProgram(solver) : solver) {
            Encoding enc = Encoding.of(net, inLo, inHi, preLo, preHi, mip);
            int[] y = enc.logits, inputs = enc.inputs;
            int t = mip.variable(T_FLOOR, T_CAP);
            for (LinearConstraint c : conjunction) {
                // coef·Y - t <= rhs
                int[] vars = new int[classes + 1];
                double[] coefs = new double[classes + 1];
                for (int j = 0; j < classes; j++) {
                    vars[j] = y[j];
                    coefs[j] = c.coef()[j];
                }
                vars[classes] = t;
                coefs[classes] = -1;
                mip.constraint(vars, coefs, Double.NEGATIVE_INFINITY, c.rhs());
            }
            double[] centre = new double[n];
            for (int k = 0; k < n; k++) centre[k] = inLo[k] + (inHi[k] - inLo[k]) / 2;
            hint(mip, enc, net64, centre, conjunction, t);
            double seconds = timeLimitSeconds - (System.nanoTime() - start) / 1e9;
            // Stop at a point clearly inside, so that it survives the float64 re-check.
            MipBackend.Outcome o = mip.optimize(new int[] {t}, new double[] {1}, false, seconds, -TOLERANCE, Double.NaN,
                    inputs);
            if (o.status() == MipBackend.Status.INFEASIBLE)
                return new Result(Status.INFEASIBLE, T_CAP - MipBackend.allowance(T_CAP), null);
            double provenMin = o.bound();
            if (o.x() != null) {
                double[] x = new double[n];
                for (int k = 0; k < n; k++) x[k] = Math.min(Math.max(o.x()[k], inLo[k]), inHi[k]);
                double[] z = net64.logits(new double[][] {x})[0];
                boolean all = true;
                for (LinearConstraint c : conjunction) if (!c.satisfiedBy(z, TOLERANCE)) all = false;
                if (all) return new Result(Status.FOUND, provenMin, x);
            }
            if (provenMin > 0) return new Result(Status.INFEASIBLE, provenMin, null);
            return new Result(Status.UNKNOWN, provenMin, null);
        }
    }

    /** The box's centre as a first incumbent, when its t fits under the cap (else there is nothing to start from). */
    private static void hint(MipBackend mip, Encoding enc, TorchNet net64, double[] x, List<LinearConstraint> conj, int t) {
        double[] sol = enc.solution(net64, x);
        if (sol == null || t != enc.variables()) return;
        double[] z = new double[enc.logits.length];
        for (int j = 0; j < z.length; j++) z[j] = sol[enc.logits[j]];
        double tv = T_FLOOR;
        for (LinearConstraint c : conj) tv = Math.max(tv, c.excess(z));
        if (!(tv <= T_CAP)) return;
        double[] all = java.util.Arrays.copyOf(sol, t + 1);
        all[t] = tv;
        mip.hint(Mip.all(t + 1), all);
    }
}
