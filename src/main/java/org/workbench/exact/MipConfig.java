package org.workbench.exact;

import java.util.Locale;
import java.util.Set;
import org.workbench.config.YNode;
import org.workbench.problem.Norm;
import org.workbench.solve.InnerSolver;
import org.workbench.solve.SolverContext;

/** Builds the MIP solver from its preset keys. */
public final class MipConfig {
    private MipConfig() {}

    /**
     * Keys: backend (scip, highs), threads (default 1; more only with highs), time_limit (seconds per sample, neuron bounds included,
     * shared by the sample's target classes; default 60), tighten (neuron bounds: ibp, crown or lp; default lp),
     * gap (absolute gap on the margin at which a solve may stop; default 0, solve to optimality), until (optimal:
     * solve each class to the gap; decided: stop a class once the sign of its maximum is known, which is all a
     * verdict needs).
     */
    public static InnerSolver mip(String name, YNode cfg, SolverContext ctx) {
        cfg.allowOnly(Set.of("backend", "threads", "time_limit", "tighten", "gap", "until"));
        if (ctx.threat().norm() != Norm.LINF)
            throw cfg.error("solver " + name + ": mip supports linf threats only (the problem's threat is "
                    + ctx.threat().norm().key() + "); the encoding needs the threat set to be a box");
        String backend = "scip";
        if (cfg.has("backend")) {
            backend = cfg.get("backend").choice(Set.of("scip", "highs", "cp-sat"));
            // Measured with OR-Tools 9.14: CP-SAT either rejects continuous variables (MODEL_INVALID) or, through
            // MPSolver, silently solves a discretized model whose "optimum" lay below the true one.
            if (backend.equals("cp-sat"))
                throw cfg.get("backend").error("cp-sat cannot solve this model: a ReLU network's MIP has continuous "
                        + "variables (inputs and activations) and CP-SAT needs an all-integer model; use scip or highs");
        }
        int threads = cfg.integer("threads", 1);
        if (threads < 1) throw cfg.get("threads").error("expected an integer >= 1");
        if (threads > 1 && backend.equals("scip"))
            throw cfg.get("threads").error("SCIP runs on 1 thread here: OR-Tools' concurrent SCIP mode returns without a "
                    + "bound in this build; use threads: 1, or backend: highs");
        double limit = cfg.number("time_limit", 60);
        if (!(limit > 0) || Double.isInfinite(limit))
            throw cfg.get("time_limit").error("expected a time in seconds > 0");
        Mip.Tighten tighten = Mip.Tighten.LP;
        if (cfg.has("tighten"))
            tighten = Mip.Tighten.valueOf(cfg.get("tighten").choice(Set.of("ibp", "crown", "lp")).toUpperCase(Locale.ROOT));
        double gap = cfg.number("gap", 0);
        if (!(gap >= 0) || Double.isInfinite(gap)) throw cfg.get("gap").error("expected an absolute gap >= 0");
        boolean decided = cfg.has("until") && cfg.get("until").choice(Set.of("optimal", "decided")).equals("decided");
        return new Mip(name, ctx, new Mip.Settings(backend, threads, limit, tighten, gap, decided));
    }
}
