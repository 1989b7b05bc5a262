package org.workbench.exact;

import com.google.ortools.Loader;
import com.google.ortools.linearsolver.MPConstraint;
import com.google.ortools.linearsolver.MPObjective;
import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.linearsolver.MPSolverParameters;
import com.google.ortools.linearsolver.MPVariable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.workbench.net.LinearProgram;

/** SCIP through OR-Tools' MPSolver; the bound it reports is SCIP's dual bound. */
final class ScipBackend implements MipBackend {
    /** SCIP's infinity: a dual bound this large means none was proven (seen after a 1 ms time limit). */
    private static final double SCIP_INFINITY = 1e20;

    private final MPSolver solver;
    private final MPSolverParameters params;
    private final List<MPVariable> vars = new ArrayList<>();
    private final double gap;
    private int binaries;
    private boolean boundOnly;

    ScipBackend(double gap) {
        Loader.loadNativeLibraries();
        solver = MPSolver.createSolver("SCIP");
        if (solver == null) throw new IllegalStateException("OR-Tools has no SCIP in this build");
        params = new MPSolverParameters();
        // More than one thread makes OR-Tools call SCIP's concurrent mode, which in this build returns at once with
        // no bound (measured with 2 threads on the tutorial's network).
        solver.setNumThreads(1);
        // OR-Tools would otherwise pass its own default relative gap of 1e-4 to SCIP.
        params.setDoubleParam(MPSolverParameters.DoubleParam.RELATIVE_MIP_GAP, 0);
        this.gap = gap;
    }

    @Override
    public int variable(double lo, double hi) {
        LinearProgram.requireFinite(new double[0], 0, lo, hi);
        vars.add(solver.makeNumVar(lo, hi, ""));
        return vars.size() - 1;
    }

    @Override
    public int binary() {
        vars.add(solver.makeIntVar(0, 1, ""));
        binaries++;
        return vars.size() - 1;
    }

    @Override
    public void constraint(int[] v, double[] coefs, double lo, double hi) {
        LinearProgram.requireFinite(coefs, v.length, lo, hi);
        MPConstraint ct = solver.makeConstraint(lo, hi, "");
        // setCoefficient replaces, so a variable named twice must be summed here.
        for (int k = 0; k < v.length; k++) {
            MPVariable x = vars.get(v[k]);
            ct.setCoefficient(x, ct.getCoefficient(x) + coefs[k]);
        }
    }

    /** A complete hint becomes SCIP's first incumbent (OR-Tools adds it as a solution before each solve). */
    @Override
    public void hint(int[] v, double[] values) {
        MPVariable[] xs = new MPVariable[v.length];
        for (int k = 0; k < v.length; k++) xs[k] = vars.get(v[k]);
        solver.setHint(xs, values);
    }

    @Override
    public int binaries() {
        return binaries;
    }

    @Override
    public Outcome optimize(int[] v, double[] coefs, boolean maximize, double seconds, double stopAt, double decidedAt,
                            int[] read) {
        if (!(seconds > 0)) return new Outcome(Status.NONE, none(maximize), Double.NaN, null);
        MPObjective obj = solver.objective();
        obj.clear();
        for (int k = 0; k < v.length; k++) {
            MPVariable x = vars.get(v[k]);
            obj.setCoefficient(x, obj.getCoefficient(x) + coefs[k]);
        }
        if (maximize) obj.setMaximization();
        else obj.setMinimization();
        // SCIP keeps parameters between solves, so every limit is set each time (1e20 switches one off).
        // Cutting planes off: on big-M ReLU programs SCIP's generic cuts barely move the bound. Measured on the
        // tutorial's model_small (57 binaries), 3 targets: 17 / 33+ / 38+ s with cuts, 3.3 / 6.7 / 5.6 s without.
        solver.setSolverSpecificParametersAsString(String.format(Locale.ROOT,
                "separating/maxrounds = 0\nseparating/maxroundsroot = 0\n"
                        + "limits/absgap = %.17g\nlimits/primal = %.17g\nlimits/dual = %.17g", gap,
                Double.isNaN(stopAt) ? sign(maximize) * SCIP_INFINITY : stopAt,
                Double.isNaN(decidedAt) ? -sign(maximize) * SCIP_INFINITY : decidedAt) + (boundOnly ? BOUND_ONLY : ""));
        solver.setTimeLimit(Math.max(1, (long) Math.ceil(seconds * 1000)));
        MPSolver.ResultStatus rs = solver.solve(params);
        Status status = rs == MPSolver.ResultStatus.OPTIMAL ? Status.OPTIMAL
                : rs == MPSolver.ResultStatus.FEASIBLE ? Status.FEASIBLE
                : rs == MPSolver.ResultStatus.INFEASIBLE ? Status.INFEASIBLE : Status.NONE;
        if (status == Status.INFEASIBLE) return new Outcome(status, none(maximize), Double.NaN, null);
        if (status == Status.NONE) return new Outcome(status, none(maximize), Double.NaN, null);
        double value = obj.value(), b = obj.bestBound();
        double bound = none(maximize);
        // A dual bound on the wrong side of a point SCIP itself accepts means numerical trouble: no bound then.
        boolean consistent = maximize ? b >= value - MipBackend.allowance(value) : b <= value + MipBackend.allowance(value);
        if (Double.isFinite(b) && Math.abs(b) < SCIP_INFINITY && consistent)
            bound = maximize ? b + MipBackend.allowance(b) : b - MipBackend.allowance(b);
        double[] x = new double[read.length];
        for (int k = 0; k < read.length; k++) x[k] = vars.get(read[k]).solutionValue();
        return new Outcome(status, bound, value, x);
    }

    /**
     * For a dual bound alone: best-bound node selection first, and the primal heuristics listed here off (the hint is
     * the incumbent; without one OR-Tools reports no bound, and the old bound stays). On 256x4 prop_14_0.03's second
     * ReLU layer the refinement's 76 neurons took 52.8 s instead of 68.2 s, and the root bounds after refinement came
     * out 0.96-1.51 instead of 1.06-1.61 (docs/experiments.md). Appended to every solve's parameters, which replace
     * the previous solve's.
     */
    private static final String BOUND_ONLY = boundOnlyParameters();

    private static String boundOnlyParameters() {
        StringBuilder b = new StringBuilder("\nnodeselection/bfs/stdpriority = 1000000");
        for (String h : List.of("rounding", "shifting", "simplerounding", "locks", "rens", "rins", "crossover", "feaspump", "oneopt",
                "adaptivediving", "farkasdiving", "conflictdiving", "distributiondiving", "fracdiving", "guideddiving", "linesearchdiving",
                "pscostdiving", "veclendiving", "shiftandpropagate", "randrounding", "zirounding", "intshifting", "alns", "gins", "clique",
                "vbounds", "lpface"))
            b.append("\nheuristics/").append(h).append("/freq = -1");
        return b.toString();
    }

    @Override
    public void boundOnly() {
        boundOnly = true;
    }

    private static double none(boolean maximize) {
        return maximize ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    private static double sign(boolean maximize) {
        return maximize ? 1 : -1;
    }

    @Override
    public void close() {
        solver.delete();
    }
}
