package org.workbench.train;

import ai.djl.Device;
import java.nio.file.Path;
import org.workbench.config.YNode;
import org.workbench.problem.SolverSpec;
import org.workbench.problem.Threat;

/**
 * A training run: the architecture to initialize, data, optimizer and schedule, the inner solver of the outer
 * minimization with its threat and schedules, what each epoch evaluates, and where the trained model, the
 * per-epoch log and the checkpoint go.
 *
 * @param nesterov SGD only: Nesterov momentum
 * @param gradClip the gradients' global l2 norm is scaled down to this before each step (0: no clipping)
 * @param cyclePeak one-cycle schedule: the share of all steps at which the learning rate peaks
 * @param inner the inner maximization's solver (an attack preset or ibp), or null for standard training
 * @param epsByEpoch the training radius of each epoch (index epoch - 1)
 * @param kappaByEpoch for certified training, the weight of the clean loss in each epoch
 * @param betaByEpoch for crown-ibp, the weight of the ibp bound against the crown-ibp one in each epoch
 * @param tradesBeta TRADES (Zhang et al. 2019): the weight of KL(clean || adversarial) beside the clean cross-entropy,
 *                   the attack maximizing that KL; 0 for the attack's plain cross-entropy
 * @param classes only these classes, relabeled 0..k-1 (null: all)
 * @param trainSamples how many training images (the first ones), or 0 for all
 * @param shift data augmentation: each training image moved by up to this many pixels along each axis (0: none)
 * @param evalSamples per epoch, the first this many test images are attacked (and certified)
 * @param evalAttack the attack preset of the per-epoch evaluation (PGD-40 by default)
 * @param evalEps the radius of the per-epoch evaluation (the training radius by default)
 * @param device where the weights, batches and the inner solver's tensors live
 */
public record TrainSpec(String name, YNode architecture, Path dataDir, int epochs, int batch, String optimizer,
                        double lr, double momentum, boolean nesterov, double weightDecay, double gradClip, String schedule,
                        int[] stepEpochs, double cyclePeak,
                        double gamma, long seed, Path output, Path log, String description,
                        SolverSpec inner, Threat threat, double[] epsByEpoch, double[] kappaByEpoch, double[] betaByEpoch, double tradesBeta,
                        int[] classes, int trainSamples, int shift, int evalSamples, SolverSpec evalAttack, double evalEps, Path checkpoint,
                        Device device) {

    /** The inner solver types that are relaxations: their loss is the cross-entropy of worst-case logits. */
    static final java.util.Set<String> CERTIFIED = java.util.Set.of("ibp", "crown-ibp", "crown");

    /** Whether the inner solver is a relaxation (certified training) rather than an attack. */
    public boolean certified() {
        return inner != null && CERTIFIED.contains(inner.type());
    }
}
