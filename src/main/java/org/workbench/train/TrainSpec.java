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
 * @param inner the inner maximization's solver (an attack preset or ibp), or null for standard training
 * @param epsByEpoch the training radius of each epoch (index epoch - 1)
 * @param kappaByEpoch for certified training, the weight of the clean loss in each epoch
 * @param betaByEpoch for crown-ibp, the weight of the ibp bound against the crown-ibp one in each epoch
 * @param classes only these classes, relabeled 0..k-1 (null: all)
 * @param trainSamples how many training images (the first ones), or 0 for all
 * @param evalSamples per epoch, the first this many test images are attacked (and certified)
 * @param evalAttack the attack preset of the per-epoch evaluation (PGD-40 by default)
 * @param evalEps the radius of the per-epoch evaluation (the training radius by default)
 * @param device where the weights, batches and the inner solver's tensors live
 */
public record TrainSpec(String name, YNode architecture, Path dataDir, int epochs, int batch, String optimizer,
                        double lr, double momentum, double weightDecay, String schedule, int[] stepEpochs,
                        double gamma, long seed, Path output, Path log, String description,
                        SolverSpec inner, Threat threat, double[] epsByEpoch, double[] kappaByEpoch, double[] betaByEpoch,
                        int[] classes, int trainSamples, int evalSamples, SolverSpec evalAttack, double evalEps, Path checkpoint,
                        Device device) {

    /** Whether the inner solver is a relaxation (certified training) rather than an attack. */
    public boolean certified() {
        return inner != null && (inner.type().equals("ibp") || inner.type().equals("crown-ibp"));
    }
}
