package org.workbench.solve;

/** Samples solved together: their indices in the data split, inputs in [0, 1] pixel space, true labels. */
public record Batch(int[] ids, double[][] inputs, int[] labels) {
    public int size() {
        return ids.length;
    }
}
