package org.workbench.problem;

/**
 * {@code loss_surface: {sample: 0, range: 0.2, grid: 41, seed: 1}}: the loss around one input of the data split over
 * x + a·sign(∇x loss) + b·r, r a random sign vector (from seed), for a and b in [-range, range] on a grid × grid lattice.
 */
public record LossSurfaceSpec(int sample, double range, int grid, long seed) {}
