package org.workbench.problem;

import org.workbench.config.YNode;

/**
 * A solver as the problem names it: a display name, the solver type from its preset ("pgd", "fgsm", ...),
 * and the preset's keys with the problem's overrides applied (each key keeps its file and line).
 */
public record SolverSpec(String name, String type, YNode config) {}
