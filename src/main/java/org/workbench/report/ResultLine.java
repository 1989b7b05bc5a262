package org.workbench.report;

/**
 * One line of results.jsonl: a solver's bound for one sample at one eps. {@code margins[j]} bounds
 * max over the threat set of z_j - z_y (NaN for j = y, written as null); {@code setup} fingerprints the
 * model, threat and solver settings so a changed setup is never resumed from stale lines. Exact solvers also
 * give {@code marginsLower}, the lower end of their bracket (null for the others). {@code model} names the network
 * when the problem lists several ({@code models:}); null for a problem's single {@code model:}.
 */
public record ResultLine(String model, int sample, int label, double eps, String solver, String kind, double[] margins,
                         String status, double timeS, Integer witnessClass, Double witnessDistance,
                         String witness, String setup, double[] marginsLower) {

    public double worst() {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : margins) if (!Double.isNaN(v)) m = Math.max(m, v);
        return m;
    }

    public String key() {
        return key(model, sample, eps, solver, setup);
    }

    /** Two models may share a solver and, with equal weights, even its setup: the model is part of the key. */
    public static String key(String model, int sample, double eps, String solver, String setup) {
        return (model == null ? "" : model + "|") + sample + "|" + eps + "|" + solver + "|" + setup;
    }
}
