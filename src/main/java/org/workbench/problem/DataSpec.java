package org.workbench.problem;

import java.nio.file.Path;

/**
 * Which samples: an IDX directory, a split ("train" or "test"), optionally only some classes (relabeled 0..k-1 in
 * the order given, as the tutorial's 0-vs-1 task; null for all), and the sample indices in that (filtered) split.
 */
public record DataSpec(Path dir, String split, int[] classes, int[] samples) {

    /** The split, restricted to the classes when some are named. */
    public org.workbench.data.Dataset load() {
        org.workbench.data.Dataset d = org.workbench.data.Dataset.load(dir, split);
        return classes == null ? d : d.onlyClasses(classes);
    }
}
