package org.workbench.problem;

import java.nio.file.Path;

/**
 * Which samples: an IDX directory, a split ("train" or "test"), optionally only some classes (relabeled 0..k-1 in
 * the order given, as the tutorial's 0-vs-1 task; null for all), and the sample indices in that (filtered) split.
 */
public record DataSpec(Path dir, String split, int[] classes, int[] samples, org.workbench.image.PhotoFolder.Preparation photos) {

    public DataSpec(Path dir, String split, int[] classes, int[] samples) {
        this(dir, split, classes, samples, null);
    }

    /** The split, restricted to the classes when some are named; with {@code photos}, the photo folder instead. */
    public org.workbench.data.Dataset load() {
        org.workbench.data.Dataset d = photos != null ? org.workbench.image.PhotoFolder.load(dir, photos)
                : org.workbench.data.Dataset.load(dir, split);
        return classes == null ? d : d.onlyClasses(classes);
    }
}
