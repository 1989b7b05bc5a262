package org.workbench.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.workbench.attack.Pgd;
import org.workbench.net.TorchNet;
import org.workbench.problem.Objective;
import org.workbench.problem.Threat;
import org.workbench.relax.TrainingBounds;
import org.workbench.solve.Batch;
import org.workbench.solve.SolverContext;
import org.workbench.solve.Solvers;

/**
 * The loss of one batch under the recipe's inner solver: the clean cross-entropy (no inner solver); the
 * cross-entropy at the point an attack preset reaches (adversarial training: FGSM, PGD, as {@code solve} runs them);
 * or κ·CE(clean) + (1 − κ)·CE(worst-case logits) with the worst-case logits the {@code ibp} solver's own margin
 * bounds (certified training). The attack runs first, outside the weight update's gradient collection, on the
 * trainer's network itself.
 */
final class InnerLoss implements AutoCloseable {
    private final TrainSpec spec;
    private final TorchNet net;
    private final List<NDArray> params;
    private final SolverContext ctx;
    private final Pgd attack;

    InnerLoss(TrainSpec spec, TorchNet net, List<NDArray> params) {
        this.spec = spec;
        this.net = net;
        this.params = params;
        boolean attacks = spec.inner() != null && !spec.certified();
        Objective objective = spec.tradesBeta() > 0 ? new Objective(Objective.Type.KL, -1) : Objective.crossEntropy();
        this.ctx = attacks ? new SolverContext(net, spec.threat(), objective) : null;
        this.attack = attacks ? (Pgd) Solvers.create(spec.inner(), ctx) : null;
    }

    /** Whether the inputs trained on come from an attack (which reads the batch's images as Java rows). */
    boolean attacks() {
        return attack != null;
    }

    /**
     * The inputs the weights are trained on for this batch: the clean ones, or the attack's best point per sample
     * (by margin, over its iterates), its random starts drawn from a seed fixed by the recipe's seed, the epoch and
     * the batch, so that a resumed run repeats them. Called before the weight update's gradient collection.
     */
    NDArray inputs(NDManager m, Batch batch, NDArray clean, int epoch, int batchIndex) {
        double eps = spec.epsByEpoch()[epoch - 1];
        if (attack == null || eps == 0) return clean;
        // The attack's backward passes need no weight gradients: they would only cost time.
        for (NDArray p : params) p.setRequiresGradient(false);
        try {
            long seed = spec.seed() * 1_000_003L + epoch * 100_003L + batchIndex;
            // The best iterate by margin for adversarial training; TRADES trains on the last one, as its authors do.
            double[][] best = attack.reseeded(seed).candidates(batch, eps).get(spec.tradesBeta() > 0 ? 1 : 0);
            int d = best[0].length;
            float[] flat = new float[best.length * d];
            for (int i = 0; i < best.length; i++) for (int k = 0; k < d; k++) flat[i * d + k] = (float) best[i][k];
            return m.create(flat, clean.getShape());
        } finally {
            for (NDArray p : params) p.setRequiresGradient(true);
        }
    }

    /** The batch's mean loss, with its graph, and the logits at the inputs trained on (for the training error). */
    record Loss(NDArray value, NDArray logits) {}

    /** The batch's mean loss at the given inputs (call inside the gradient collection). */
    Loss loss(NDArray x, NDArray clean, NDArray hot, int[] labels, int epoch) {
        if (spec.tradesBeta() > 0) return trades(x, clean, hot);
        NDArray logits = net.evaluate(x);
        NDArray ce = crossEntropy(logits, hot);
        if (!spec.certified()) return new Loss(ce, logits);
        double eps = spec.epsByEpoch()[epoch - 1], kappa = spec.kappaByEpoch()[epoch - 1];
        Threat th = spec.threat();
        NDArray lo = clean.sub((float) eps), hi = clean.add((float) eps);
        if (th.clip()) {
            lo = lo.maximum((float) th.lo());
            hi = hi.minimum((float) th.hi());
        }
        NDArray robust = crossEntropy(worstCase(lo, hi, labels, epoch), hot);
        return new Loss(ce.mul((float) kappa).add(robust.mul((float) (1 - kappa))), logits);
    }

    /** TRADES: CE(f(clean), y) + beta * mean KL(softmax f(clean) || softmax f(x)), gradients through both. */
    private Loss trades(NDArray x, NDArray clean, NDArray hot) {
        NDArray zClean = net.evaluate(clean), zAdv = net.evaluate(x);
        NDArray logP = zClean.logSoftmax(1);
        NDArray kl = logP.exp().mul(logP.sub(zAdv.logSoftmax(1))).sum().div(zAdv.getShape().get(0));
        return new Loss(crossEntropy(zClean, hot).add(kl.mul((float) spec.tradesBeta())), zAdv);
    }

    /**
     * The worst-case logits (margin bounds, 0 at the label): ibp's, crown's (CROWN bounds everywhere, for small
     * networks), or for crown-ibp β·ibp + (1 − β)·crown-ibp
     * (Zhang et al. 2020, β ramped from 1 to 0), a convex combination of two sound bounds and so a sound bound.
     */
    private NDArray worstCase(NDArray lo, NDArray hi, int[] labels, int epoch) {
        if (spec.inner().type().equals("ibp")) return TrainingBounds.ibpMargins(net, lo, hi, labels);
        if (spec.inner().type().equals("crown")) {
            try {
                return TrainingBounds.crownMargins(net, lo, hi, labels);
            } catch (IllegalArgumentException e) {
                throw new org.workbench.config.InputError("inner: crown: " + e.getMessage());
            }
        }
        double beta = spec.betaByEpoch()[epoch - 1];
        if (beta >= 1) return TrainingBounds.ibpMargins(net, lo, hi, labels);
        NDArray crown = TrainingBounds.crownIbpMargins(net, lo, hi, labels);
        if (beta <= 0) return crown;
        return TrainingBounds.ibpMargins(net, lo, hi, labels).mul((float) beta).add(crown.mul((float) (1 - beta)));
    }

    static NDArray crossEntropy(NDArray logits, NDArray hot) {
        return logits.logSoftmax(1).mul(hot).sum().neg().div(logits.getShape().get(0));
    }

    /** One-hot float32 labels [B, classes]. */
    static NDArray oneHot(NDManager m, int[] labels, int classes) {
        float[] hot = new float[labels.length * classes];
        for (int i = 0; i < labels.length; i++) hot[i * classes + labels[i]] = 1;
        return m.create(hot, new ai.djl.ndarray.types.Shape(labels.length, classes));
    }

    @Override
    public void close() {
        if (ctx != null) ctx.close();
    }
}
