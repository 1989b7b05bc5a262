package org.workbench.relax;

import com.google.ortools.Loader;
import com.google.ortools.linearsolver.MPConstraint;
import com.google.ortools.linearsolver.MPObjective;
import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.linearsolver.MPSolverParameters;
import com.google.ortools.linearsolver.MPVariable;

/** An OR-Tools MPSolver (GLOP, PDLP, HiGHS or SCIP) holding a recorded program. */
final class OrToolsProgram implements LpRelaxation.Backend {
    private static boolean loaded;

    /** Unpacks the natives (about 0.6 s and 67 MB in /tmp) once per JVM. */
    static synchronized void load() {
        if (!loaded) {
            Loader.loadNativeLibraries();
            loaded = true;
        }
    }

    private final MPSolver solver;
    private final MPVariable[] vars;
    private final MPConstraint[] rows;
    private final boolean mip, duals;
    private final MPSolverParameters params;
    private double[] last;

    OrToolsProgram(LpRelaxation.Program p, String backend) {
        load();
        params = new MPSolverParameters();
        // "HIGHS_LP" is the LP-only HiGHS (the Java enum lacks HiGHS, but createSolver knows it, as of 9.14).
        String id = switch (backend) {
            case "glop" -> "GLOP";
            case "pdlp" -> "PDLP";
            case "highs" -> "HIGHS_LP";
            case "scip" -> "SCIP";
            default -> throw new IllegalArgumentException("not an OR-Tools backend: " + backend);
        };
        solver = MPSolver.createSolver(id);
        if (solver == null) throw new IllegalStateException("OR-Tools has no solver " + id + " in this build");
        mip = backend.equals("scip");
        // Measured in 9.14: HiGHS through MPSolver hands back the row activities as "dual values", so only GLOP
        // and PDLP duals feed the dual bound; HiGHS answers with its primal objective.
        duals = backend.equals("glop") || backend.equals("pdlp");
        if (mip) {
            solver.setNumThreads(1);
            // The answer is the proven bound, so a tight gap only makes it closer to the true maximum.
            params.setDoubleParam(MPSolverParameters.DoubleParam.RELATIVE_MIP_GAP, 1e-9);
        }
        if (backend.equals("pdlp"))
            // Tighter than the default 1e-4 relative; soundness comes from the dual bound either way.
            solver.setSolverSpecificParametersAsString(
                    "termination_criteria { simple_optimality_criteria { eps_optimal_absolute: 1e-9 eps_optimal_relative: 1e-9 } }");
        double inf = MPSolver.infinity();
        int n = p.numVariables(), m = p.numConstraints();
        vars = new MPVariable[n];
        for (int j = 0; j < n; j++) {
            double lo = Math.max(p.colLo[j], -inf), hi = Math.min(p.colHi[j], inf);
            vars[j] = p.integer[j] ? solver.makeIntVar(lo, hi, "") : solver.makeNumVar(lo, hi, "");
        }
        rows = new MPConstraint[m];
        for (int i = 0; i < m; i++) {
            MPConstraint ct = solver.makeConstraint(Math.max(p.rowLo[i], -inf), Math.min(p.rowHi[i], inf), "");
            for (int k = p.rowStart[i]; k < p.rowStart[i + 1]; k++) ct.setCoefficient(vars[p.cols[k]], p.vals[k]);
            rows[i] = ct;
        }
    }

    @Override
    public LpRelaxation.Outcome maximize(double[] c) {
        MPObjective obj = solver.objective();
        // Only touch coefficients that change, so that GLOP keeps its basis and re-solves from it.
        for (int j = 0; j < c.length; j++) {
            double old = last == null ? 0 : last[j];
            if (c[j] != old) obj.setCoefficient(vars[j], c[j]);
        }
        last = c.clone();
        obj.setMaximization();
        MPSolver.ResultStatus status = solver.solve(params);
        if (status != MPSolver.ResultStatus.OPTIMAL) return new LpRelaxation.Outcome(false, Double.NaN, null);
        if (mip) return new LpRelaxation.Outcome(true, obj.bestBound(), null);
        if (!duals) return new LpRelaxation.Outcome(true, obj.value(), null);
        double[] y = new double[rows.length];
        for (int i = 0; i < rows.length; i++) y[i] = rows[i].dualValue();
        return new LpRelaxation.Outcome(true, obj.value(), y);
    }

    @Override
    public void close() {
        solver.delete();
    }
}
