package org.workbench.net;

/**
 * A solver-neutral builder of linear (and mixed-integer) programs, so that each layer can state its own
 * constraint rule ({@link Layer#encode}) without depending on a solver library. Variables are numbered from 0
 * in the order they are created.
 */
public interface LinearProgram {

    /**
     * Refuses what no solver may be handed: a NaN bound, or a coefficient that is NaN or infinite (an unstable
     * ReLU with an infinite bound gives one). They come from a numerical failure upstream, and a solver given them
     * answers anything; the caller turns the exception into "no bound" (an open sample, an unknown instance).
     */
    static void requireFinite(double[] coefs, int n, double lo, double hi) {
        if (Double.isNaN(lo) || Double.isNaN(hi)) throw new ArithmeticException("NaN bound in a linear program");
        for (int k = 0; k < n; k++)
            if (!Double.isFinite(coefs[k])) throw new ArithmeticException("non-finite coefficient " + coefs[k] + " in a linear program");
    }

    /** A new continuous variable with lo <= v <= hi (infinite bounds allowed); returns its index. */
    int variable(double lo, double hi);

    /** A new 0/1 integer variable; returns its index. */
    int binary();

    /** lo <= sum_k coefs[k] * v[vars[k]] <= hi; use lo == hi for an equality, +-infinity for one side. */
    void constraint(int[] vars, double[] coefs, double lo, double hi);

    /**
     * A new variable y = sum_k w[k] * x[in[pos[k]]] + bias (k < n), bounded by interval arithmetic over
     * [inLo, inHi] (indexed by position). The bounds are widened by a rounding-error bound of the float64 sums,
     * so that they hold for the exact affine map and never cut off a reachable value.
     */
    default int affine(int[] in, int[] pos, double[] w, int n, double bias, double[] inLo, double[] inHi) {
        int[] vars = new int[n + 1];
        double[] coefs = new double[n + 1];
        double lo = bias, hi = bias, mag = Math.abs(bias);
        int m = 0;
        for (int k = 0; k < n; k++) {
            double wk = w[k];
            if (wk == 0) continue; // also keeps 0 * infinity out of the sums
            int p = pos[k];
            lo += wk > 0 ? wk * inLo[p] : wk * inHi[p];
            hi += wk > 0 ? wk * inHi[p] : wk * inLo[p];
            mag += Math.abs(wk) * Math.max(Math.abs(inLo[p]), Math.abs(inHi[p]));
            vars[m] = in[p];
            coefs[m++] = wk;
        }
        double slack = (m + 4) * 0x1p-52 * mag;
        lo -= slack;
        hi += slack;
        int y = variable(Double.isNaN(lo) ? Double.NEGATIVE_INFINITY : lo, Double.isNaN(hi) ? Double.POSITIVE_INFINITY : hi);
        vars[m] = y;
        coefs[m++] = -1;
        constraint(java.util.Arrays.copyOf(vars, m), java.util.Arrays.copyOf(coefs, m), -bias, -bias);
        return y;
    }
}
