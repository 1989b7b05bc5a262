package org.workbench.train;

import java.nio.file.Path;
import org.workbench.config.YNode;

/**
 * A training run: the architecture to initialize, data, optimizer and schedule, where the trained model
 * and the per-epoch log go.
 */
public record TrainSpec(String name, YNode architecture, Path dataDir, int epochs, int batch, String optimizer,
                        double lr, double momentum, double weightDecay, String schedule, int[] stepEpochs,
                        double gamma, long seed, Path output, Path log, String description) {}
