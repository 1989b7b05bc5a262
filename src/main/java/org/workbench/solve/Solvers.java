package org.workbench.solve;

import java.util.Map;
import java.util.TreeMap;
import org.workbench.attack.AttackConfig;
import org.workbench.config.InputError;
import org.workbench.problem.SolverSpec;

/** The solver types a preset may name, each with the factory that reads its keys. */
public final class Solvers {
    @FunctionalInterface
    public interface Factory {
        InnerSolver create(String name, org.workbench.config.YNode config, SolverContext ctx);
    }

    private static final Map<String, Factory> TYPES = new TreeMap<>(Map.of(
            "fgsm", AttackConfig::fgsm,
            "pgd", AttackConfig::pgd,
            "ibp", org.workbench.relax.RelaxConfig::ibp,
            "crown", org.workbench.relax.RelaxConfig::crown,
            "crown-ibp", org.workbench.relax.RelaxConfig::crownIbp,
            "alpha-crown", org.workbench.relax.RelaxConfig::alphaCrown,
            "lp", org.workbench.relax.RelaxConfig::lp,
            "mip", org.workbench.exact.MipConfig::mip,
            "linear", org.workbench.exact.LinearExact::create,
            "bab", org.workbench.verify.BabSolver::create));

    private static final java.util.Set<String> ATTACKS = java.util.Set.of("fgsm", "pgd");

    private Solvers() {}

    /** Attacks need only forward passes and input gradients, so they run on every network; the others need bound rules. */
    public static boolean isAttack(String type) {
        return ATTACKS.contains(type);
    }

    public static InnerSolver create(SolverSpec spec, SolverContext ctx) {
        Factory f = TYPES.get(spec.type());
        if (f == null)
            throw InputError.at(spec.config().file(), spec.config().line(), "solver",
                    "unknown solver type '" + spec.type() + "'; expected one of " + String.join(", ", TYPES.keySet()));
        if (!isAttack(spec.type()))
            ctx.network().boundRuleGap().ifPresent(gap -> {
                throw InputError.at(spec.config().file(), spec.config().line(), "solver", spec.type() + " cannot run on the model: " + gap);
            });
        return f.create(spec.name(), spec.config(), ctx);
    }
}
