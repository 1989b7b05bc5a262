package org.workbench.attack;

import java.util.Set;
import org.workbench.config.YNode;
import org.workbench.problem.Norm;
import org.workbench.problem.Objective;
import org.workbench.solve.InnerSolver;
import org.workbench.solve.SolverContext;

/** Builds the attack solvers from their preset keys, rejecting unknown keys and values out of range. */
public final class AttackConfig {
    private AttackConfig() {}

    /**
     * PGD keys: norm (linf|l2, must match the threat), steps, alpha (absolute step) or alpha_over_eps,
     * restarts, random_start, full_first_step (first step of size eps: the FGSM point), target (a class,
     * or "all" for one targeted run per class), seed.
     */
    public static InnerSolver pgd(String name, YNode cfg, SolverContext ctx) {
        cfg.allowOnly(Set.of("norm", "steps", "alpha", "alpha_over_eps", "restarts", "random_start", "full_first_step", "target", "seed"));
        Norm norm = norm(cfg, ctx, name);
        int steps = positive(cfg, "steps", 40);
        double alpha = cfg.number("alpha", 0);
        double over = cfg.number("alpha_over_eps", 0);
        if (alpha < 0 || over < 0 || (alpha > 0) == (over > 0))
            throw cfg.error("solver " + name + ": give exactly one of alpha (> 0) or alpha_over_eps (> 0)");
        int restarts = positive(cfg, "restarts", 1);
        boolean random = cfg.bool("random_start", false);
        boolean full = cfg.bool("full_first_step", false);
        long seed = cfg.integer("seed", 0);
        return new Pgd(name, ctx, new Pgd.Settings(norm, steps, alpha, over, restarts, random, full,
                objective(cfg, ctx), allTargets(cfg), seed));
    }

    /**
     * FGSM keys: norm, target, random_start, alpha_over_eps, seed. One step of size eps from x (for l2: along the
     * normalized gradient); with random_start, one step of alpha_over_eps·eps (default 1.25, Wong, Rice & Kolter's
     * "fast" adversarial training) from a uniform point of the ball, projected back.
     */
    public static InnerSolver fgsm(String name, YNode cfg, SolverContext ctx) {
        cfg.allowOnly(Set.of("norm", "target", "random_start", "alpha_over_eps", "seed"));
        Norm norm = norm(cfg, ctx, name);
        boolean random = cfg.bool("random_start", false);
        double over = cfg.number("alpha_over_eps", random ? 1.25 : 1);
        if (!(over > 0)) throw cfg.get("alpha_over_eps").error("expected a number > 0");
        return new Pgd(name, ctx, new Pgd.Settings(norm, 1, 0, over, 1, random, !random, objective(cfg, ctx), allTargets(cfg),
                cfg.integer("seed", 0)));
    }

    private static Norm norm(YNode cfg, SolverContext ctx, String name) {
        Norm threat = ctx.threat().norm();
        if (!cfg.has("norm")) return threat;
        Norm n = Norm.of(cfg.get("norm").choice(Set.of("linf", "l2")));
        if (n != threat)
            throw cfg.get("norm").error("solver " + name + " attacks the " + n.key() + " ball but the problem's threat is " + threat.key());
        return n;
    }

    private static int positive(YNode cfg, String key, int dflt) {
        int v = cfg.integer(key, dflt);
        if (v < 1) throw cfg.get(key).error("expected an integer >= 1");
        return v;
    }

    private static boolean allTargets(YNode cfg) {
        return cfg.has("target") && cfg.get("target").string().equals("all");
    }

    private static Objective objective(YNode cfg, SolverContext ctx) {
        if (!cfg.has("target") || allTargets(cfg)) {
            if (allTargets(cfg)) return new Objective(Objective.Type.TARGETED, -1);
            return ctx.objective();
        }
        int t = cfg.get("target").integer();
        if (t < 0 || t >= ctx.network().numClasses())
            throw cfg.get("target").error("expected a class in 0.." + (ctx.network().numClasses() - 1) + " or 'all'");
        return new Objective(Objective.Type.TARGETED, t);
    }
}
