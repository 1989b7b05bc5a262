package org.workbench.problem;

import java.nio.file.Path;

/** Which samples: an IDX directory, a split ("train" or "test"), and the sample indices in that split. */
public record DataSpec(Path dir, String split, int[] samples) {}
