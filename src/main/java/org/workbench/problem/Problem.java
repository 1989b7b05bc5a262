package org.workbench.problem;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.List;

/** Everything one {@code workbench solve} needs: models (one or several, every solver runs on each), samples, threat,
 *  objective, solvers, output, the device tensors live on, the loss surface to draw (null if none). */
public record Problem(String name, Path file, List<ModelSpec> models, DataSpec data, Threat threat, Objective objective,
                      List<SolverSpec> solvers, Path output, int batch, boolean saveWitnesses, Device device,
                      LossSurfaceSpec lossSurface) {
    public Problem {
        models = List.copyOf(models);
    }
}
