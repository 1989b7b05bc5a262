package org.workbench.verify;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.workbench.config.YNode;
import org.workbench.relax.Branching;

/**
 * The settings of the complete-verification pipeline, read from a {@code bab} solver preset ({@code solvers/bab.yaml},
 * {@code solvers/vnncomp.yaml}); each key is documented in those files. Shares are fractions of the time left when the
 * step starts, except the input split's phases, which divide the region's time among them.
 */
public record VerifySettings(
        double timeLimit, String complete, String mipBackend, int inputSplitMax, int searchStarts, int searchSteps, int surrogateStarts,
        List<Phase> splitPhases, SplitChoice.Rule splitChoice, int splitBatch, int splitSamples, int splitMipUnstable, double splitMipSeconds,
        int babBatch, int babIterations, double babLrAlpha, double babLrBeta, Branching branching, int intermediateIterations, double refineSeconds, double refineShare,
        double lastLayerShare, double plainShare, double plainMaxGap, int patience) {

    /** One phase of the input split: which boxes look ahead, and its share of the region's time. */
    public record Phase(InputSplit.LookAt lookAt, double share) {}

    public VerifySettings {
        splitPhases = List.copyOf(splitPhases);
    }

    /** The tuned defaults (those of {@code solvers/vnncomp.yaml}). */
    public static final VerifySettings DEFAULTS = new VerifySettings(60, "bab", "scip", 16, 64, 100, 32,
            List.of(new Phase(InputSplit.LookAt.NONE, 0.8), new Phase(InputSplit.LookAt.ALL, 0.2)), SplitChoice.Rule.SMEAR, 256, 65_536, 40, 1,
            128, 10, 0.01, 0.05, new Branching(Branching.Rule.BABSR, 3), 20, 2, 0.6, 0.05, 0.1, 1.5, 10);

    static final Set<String> KEYS = Set.of("time_limit", "complete", "mip_backend", "input_split_max", "search_starts", "search_steps",
            "surrogate_starts", "split_phases", "split_choice", "split_batch", "split_samples", "split_mip_unstable", "split_mip_seconds",
            "bab_batch", "bab_iterations", "bab_lr_alpha", "bab_lr_beta", "branching", "branching_candidates", "intermediate_iterations", "refine_seconds", "refine_share", "last_layer_share",
            "plain_share", "plain_max_gap", "patience");

    /** Reads a preset's keys (the {@code solver:} and {@code description:} keys already removed); absent keys keep the defaults. */
    public static VerifySettings read(YNode cfg) {
        cfg.allowOnly(KEYS);
        VerifySettings d = DEFAULTS;
        double timeLimit = positive(cfg, "time_limit", d.timeLimit);
        String complete = cfg.has("complete") ? cfg.get("complete").choice(Set.of("bab", "mip")) : d.complete;
        List<Phase> phases = cfg.has("split_phases") ? phases(cfg.get("split_phases")) : d.splitPhases;
        String mipBackend = cfg.has("mip_backend") ? cfg.get("mip_backend").choice(Set.of("scip", "highs")) : d.mipBackend;
        return new VerifySettings(timeLimit, complete, mipBackend,
                atLeast(cfg, "input_split_max", d.inputSplitMax, 0),
                atLeast(cfg, "search_starts", d.searchStarts, 0),
                atLeast(cfg, "search_steps", d.searchSteps, 1),
                atLeast(cfg, "surrogate_starts", d.surrogateStarts, 0),
                phases,
                cfg.has("split_choice") ? SplitChoice.Rule.valueOf(cfg.get("split_choice").choice(Set.of("smear", "coefficients")).toUpperCase(java.util.Locale.ROOT))
                        : d.splitChoice,
                atLeast(cfg, "split_batch", d.splitBatch, 1),
                atLeast(cfg, "split_samples", d.splitSamples, 0),
                atLeast(cfg, "split_mip_unstable", d.splitMipUnstable, -1),
                nonNegative(cfg, "split_mip_seconds", d.splitMipSeconds),
                atLeast(cfg, "bab_batch", d.babBatch, 1),
                atLeast(cfg, "bab_iterations", d.babIterations, 0),
                positive(cfg, "bab_lr_alpha", d.babLrAlpha),
                positive(cfg, "bab_lr_beta", d.babLrBeta),
                new Branching(cfg.has("branching") ? Branching.Rule.valueOf(cfg.get("branching").choice(Set.of("babsr", "fsb", "width")).toUpperCase(java.util.Locale.ROOT))
                        : d.branching.rule(), atLeast(cfg, "branching_candidates", d.branching.candidates(), 1)),
                atLeast(cfg, "intermediate_iterations", d.intermediateIterations, 0),
                nonNegative(cfg, "refine_seconds", d.refineSeconds),
                share(cfg, "refine_share", d.refineShare),
                share(cfg, "last_layer_share", d.lastLayerShare),
                share(cfg, "plain_share", d.plainShare),
                positive(cfg, "plain_max_gap", d.plainMaxGap),
                atLeast(cfg, "patience", d.patience, 0));
    }

    private static List<Phase> phases(YNode list) {
        if (!list.isList() || list.asList().isEmpty())
            throw list.error("expected a list of phases such as [{look_ahead: none, share: 0.8}, {look_ahead: all, share: 0.2}]");
        List<Phase> out = new ArrayList<>();
        double sum = 0;
        for (YNode p : list.asList()) {
            if (!p.isMap()) throw p.error("expected {look_ahead: none|stalled|all, share: FRACTION}");
            p.allowOnly(Set.of("look_ahead", "share"));
            if (!p.has("look_ahead") || !p.has("share")) throw p.error("expected both look_ahead and share");
            String look = p.get("look_ahead").choice(Set.of("none", "stalled", "all"));
            double share = share(p, "share", 0);
            sum += share;
            if (sum > 1 + 1e-9) throw p.get("share").error("the phases' shares sum to " + sum + "; expected at most 1 (they divide one time limit)");
            out.add(new Phase(InputSplit.LookAt.valueOf(look.toUpperCase(java.util.Locale.ROOT)), share));
        }
        return out;
    }

    private static double share(YNode cfg, String key, double dflt) {
        double v = cfg.number(key, dflt);
        if (!(v >= 0 && v <= 1)) throw cfg.get(key).error("expected a share of the time between 0 and 1");
        return v;
    }

    private static double positive(YNode cfg, String key, double dflt) {
        double v = cfg.number(key, dflt);
        if (!(v > 0) || Double.isInfinite(v)) throw cfg.get(key).error("expected a number > 0");
        return v;
    }

    private static double nonNegative(YNode cfg, String key, double dflt) {
        double v = cfg.number(key, dflt);
        if (!(v >= 0) || Double.isInfinite(v)) throw cfg.get(key).error("expected a number >= 0");
        return v;
    }

    private static int atLeast(YNode cfg, String key, int dflt, int min) {
        int v = cfg.integer(key, dflt);
        if (v < min) throw cfg.get(key).error("expected an integer >= " + min);
        return v;
    }
}
