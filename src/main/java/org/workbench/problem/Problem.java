package org.workbench.problem;

import java.nio.file.Path;
import java.util.List;

/** Everything one {@code workbench solve} needs: model, samples, threat, objective, solvers, output (loss surface: null if none). */
public record Problem(String name, Path file, Path model, DataSpec data, Threat threat, Objective objective,
                      List<SolverSpec> solvers, Path output, int batch, boolean saveWitnesses, LossSurfaceSpec lossSurface) {}
