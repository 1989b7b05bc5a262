package org.workbench.relax;

import java.util.Set;
import org.workbench.config.YNode;
import org.workbench.solve.InnerSolver;
import org.workbench.solve.SolverContext;

/** Builds the relaxation solvers from their preset keys. */
public final class RelaxConfig {
    private RelaxConfig() {}

    public static InnerSolver ibp(String name, YNode cfg, SolverContext ctx) {
        cfg.allowOnly(Set.of());
        return new Ibp(name, ctx);
    }

    /** No keys: interval bounds inside, one CROWN back-substitution of the margins. */
    public static InnerSolver crownIbp(String name, YNode cfg, SolverContext ctx) {
        cfg.allowOnly(Set.of());
        return new CrownIbp(name, ctx);
    }

    /** Keys: chunk (identity rows back-substituted at once when tightening a layer's bounds). */
    public static InnerSolver crown(String name, YNode cfg, SolverContext ctx) {
        cfg.allowOnly(Set.of("chunk"));
        return new Crown(name, ctx, positive(cfg, "chunk", 512));
    }

    /**
     * Keys: chunk, iterations (Adam steps on the margins' slopes), lr, intermediate (Adam steps per layer on the slopes
     * of every ReLU input's bounds; 0: CROWN's intermediate bounds; l-inf threats only), patience (steps without a
     * smaller summed bound that end a search early; 0: never).
     */
    public static InnerSolver alphaCrown(String name, YNode cfg, SolverContext ctx) {
        cfg.allowOnly(Set.of("chunk", "iterations", "lr", "intermediate", "patience"));
        double lr = cfg.number("lr", 0.1);
        if (!(lr > 0)) throw cfg.get("lr").error("expected a step size > 0");
        int iterations = cfg.integer("iterations", 20), intermediate = cfg.integer("intermediate", 0);
        int patience = cfg.integer("patience", EarlyStop.DEFAULT_PATIENCE);
        if (patience < 0) throw cfg.get("patience").error("expected an integer >= 0 (0: never stop early)");
        if (iterations < 0) throw cfg.get("iterations").error("expected an integer >= 0");
        if (intermediate < 0) throw cfg.get("intermediate").error("expected an integer >= 0");
        if (intermediate > 0 && ctx.threat().norm() != org.workbench.problem.Norm.LINF)
            throw cfg.get("intermediate").error("optimized intermediate bounds need an l-inf threat (a box); "
                    + "use the alpha-crown preset's intermediate: 0 for " + ctx.threat().norm().key());
        return new AlphaCrown(name, ctx, positive(cfg, "chunk", 512), iterations, lr, intermediate, patience);
    }

    /** Keys: bounds (neuron bounds from "crown" or "ibp"), backend (glop, highs, pdlp, ojalgo), chunk. */
    public static InnerSolver lp(String name, YNode cfg, SolverContext ctx) {
        cfg.allowOnly(Set.of("bounds", "backend", "chunk"));
        boolean crown = !cfg.has("bounds") || cfg.get("bounds").choice(Set.of("ibp", "crown")).equals("crown");
        String backend = cfg.has("backend") ? cfg.get("backend").choice(Set.of("glop", "highs", "pdlp", "ojalgo")) : "glop";
        return new Lp(name, ctx, crown, backend, positive(cfg, "chunk", 512));
    }

    private static int positive(YNode cfg, String key, int dflt) {
        int v = cfg.integer(key, dflt);
        if (v < 1) throw cfg.get(key).error("expected an integer >= 1");
        return v;
    }
}
