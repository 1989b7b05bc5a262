package org.workbench.problem;

/**
 * {@code eps: {search: [lo, hi], steps: N}}: instead of a fixed list of radii, each sample's radii are found by
 * bisection over [lo, hi] with N halvings: the smallest eps at which an attack succeeds and the largest eps a
 * relaxation (or exact solver) certifies.
 */
public record EpsSearch(double lo, double hi, int steps) {
    public static final int DEFAULT_STEPS = 10;
}
