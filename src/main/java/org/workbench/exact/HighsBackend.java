package org.workbench.exact;

import com.google.ortools.Loader;
import com.google.ortools.modelbuilder.LinearExpr;
import com.google.ortools.modelbuilder.ModelBuilder;
import com.google.ortools.modelbuilder.ModelSolver;
import com.google.ortools.modelbuilder.SolveStatus;
import com.google.ortools.modelbuilder.Variable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.workbench.net.LinearProgram;

/**
 * HiGHS's MIP solver through OR-Tools' ModelBuilder. Not through MPSolver("HIGHS"): in OR-Tools 9.14 that path
 * ignores the time limit and all HiGHS options (measured: a 1.5 s limit ran past 8 minutes).
 *
 * <p>Both paths hand back the incumbent's objective as the "best bound" (OR-Tools' highs_proto_solver sets one
 * from the other), so no dual bound of HiGHS is ever available here. The only proven statement is OPTIMAL with
 * the gaps pinned below: HiGHS then stopped because its dual bound came within {@code mip_abs_gap} of the
 * incumbent, so the bound is the incumbent value plus that gap. A time limit leaves an incumbent and no bound.
 */
final class HighsBackend implements MipBackend {
    // Before the field below: a ModelBuilder made before the native library loads fails to link.
    static {
        Loader.loadNativeLibraries();
    }

    private final ModelBuilder model = new ModelBuilder();
    private final ModelSolver solver;
    private final List<Variable> vars = new ArrayList<>();
    private final int threads;
    private final double gap;
    private int binaries;

    HighsBackend(int threads, double gap) {
        solver = new ModelSolver("highs");
        if (!solver.solverIsSupported()) throw new IllegalStateException("OR-Tools has no HiGHS in this build");
        this.threads = threads;
        this.gap = gap;
    }

    @Override
    public int variable(double lo, double hi) {
        LinearProgram.requireFinite(new double[0], 0, lo, hi);
        vars.add(model.newNumVar(lo, hi, ""));
        return vars.size() - 1;
    }

    @Override
    public int binary() {
        vars.add(model.newBoolVar(""));
        binaries++;
        return vars.size() - 1;
    }

    @Override
    public void constraint(int[] v, double[] coefs, double lo, double hi) {
        LinearProgram.requireFinite(coefs, v.length, lo, hi);
        model.addLinearConstraint(expr(v, coefs), lo, hi);
    }

    /** Not passed on: ModelBuilder keeps its hint methods package-private in 9.14, and HiGHS gets no bound limits here. */
    @Override
    public void hint(int[] v, double[] values) {}

    @Override
    public int binaries() {
        return binaries;
    }

    private LinearExpr expr(int[] v, double[] coefs) {
        Map<Integer, Double> sum = new LinkedHashMap<>();
        for (int k = 0; k < v.length; k++) sum.merge(v[k], coefs[k], Double::sum);
        Variable[] xs = new Variable[sum.size()];
        double[] cs = new double[sum.size()];
        int i = 0;
        for (Map.Entry<Integer, Double> e : sum.entrySet()) {
            xs[i] = vars.get(e.getKey());
            cs[i++] = e.getValue();
        }
        return LinearExpr.weightedSum(xs, cs);
    }

    /**
     * {@code decidedAt} and {@code stopAt} are not used: HiGHS has no dual-bound limit for MIPs, and its
     * objective_target option made it stop at once with a bogus "feasible" point of objective 0 (measured).
     */
    @Override
    public Outcome optimize(int[] v, double[] coefs, boolean maximize, double seconds, double stopAt, double decidedAt,
                            int[] read) {
        double none = maximize ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        if (!(seconds > 0)) return new Outcome(Status.NONE, none, Double.NaN, null);
        model.optimize(expr(v, coefs), maximize);
        // output_flag: HiGHS prints its banner on stdout otherwise, a line a user can do nothing about.
        String opts = String.format(Locale.ROOT, "mip_rel_gap=0\nmip_abs_gap=%.17g\nthreads=%d\noutput_flag=false", gap, threads);
        solver.setSolverSpecificParameters(opts);
        solver.setTimeLimit(Duration.ofNanos(Math.max(1_000_000L, (long) (seconds * 1e9))));
        SolveStatus rs = solver.solve(model);
        if (rs == SolveStatus.INFEASIBLE) return new Outcome(Status.INFEASIBLE, none, Double.NaN, null);
        if ((rs != SolveStatus.OPTIMAL && rs != SolveStatus.FEASIBLE) || !solver.hasSolution())
            return new Outcome(Status.NONE, none, Double.NaN, null);
        double value = solver.getObjectiveValue();
        double bound = none;
        if (rs == SolveStatus.OPTIMAL && Double.isFinite(value)) {
            double b = maximize ? value + gap : value - gap;
            bound = maximize ? b + MipBackend.allowance(b) : b - MipBackend.allowance(b);
        }
        double[] x = new double[read.length];
        for (int k = 0; k < read.length; k++) x[k] = solver.getValue(vars.get(read[k]));
        return new Outcome(rs == SolveStatus.OPTIMAL ? Status.OPTIMAL : Status.FEASIBLE, bound, value, x);
    }

    @Override
    public void close() {
        // ModelBuilder and ModelSolver free their native parts when collected; they offer no explicit release.
    }
}
