package org.workbench.problem;

/**
 * What an attack maximizes: the cross-entropy of the true class, the margin max_{j != y} z_j - z_y, a targeted
 * margin z_t - z_y, or the KL divergence of the prediction from the clean one, KL(p(x) || p(x')) (TRADES's inner
 * maximization; it needs a random start, its gradient being 0 at x' = x). Bounds are always reported as margins per
 * class, whatever the objective.
 */
public record Objective(Type type, int target) {
    public enum Type { CROSS_ENTROPY, MARGIN, TARGETED, KL }

    public static Objective crossEntropy() {
        return new Objective(Type.CROSS_ENTROPY, -1);
    }

    public String describe() {
        return switch (type) {
            case CROSS_ENTROPY -> "cross-entropy";
            case MARGIN -> "margin";
            case TARGETED -> "target " + target;
            case KL -> "kl";
        };
    }
}
