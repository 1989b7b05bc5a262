package org.workbench.verify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Random;
import org.workbench.net.TorchNet;
import org.workbench.spec.LinearConstraint;

/**
 * Looks for a counterexample in a box: projected sign-gradient descent (float32) on the largest violation
 * t(x) = max_m (c_m·f(x) - d_m) of a conjunction, from the centre and random starts. Only points that satisfy every
 * constraint in a float64 forward pass count.
 */
final class Falsifier {
    private final TorchNet net32;
    private final TorchNet net64;
    private final Random random;

    Falsifier(TorchNet net32, TorchNet net64, long seed) {
        this.net32 = net32;
        this.net64 = net64;
        this.random = new Random(seed);
    }

    TorchNet net32() {
        return net32;
    }

    /** A float64-checked counterexample in [lo, hi] for the conjunction, or null. */
    double[] search(double[] lo, double[] hi, List<LinearConstraint> conj, int starts, int steps) {
        return searchFrom(lo, hi, conj, seeds(lo, hi, conj, starts, SAMPLES), steps);
    }

    /** As {@link #search}, with starts chosen from {@code samples} random points (float32 screening). */
    double[] search(double[] lo, double[] hi, List<LinearConstraint> conj, int starts, int steps, int samples) {
        double[][] seeds = seeds(lo, hi, conj, starts, samples);
        // The best samples themselves first: the steps below start large and would leave a region this small.
        double[] x = firstSatisfying(seeds, conj);
        if (x == null) x = searchFrom(lo, hi, conj, seeds, steps, 0.25, FINE_STEP);
        return x != null ? x : searchFrom(lo, hi, conj, seeds, steps, 0.01, FINE_STEP / 10);
    }

    /** The last step of the many-sample search, as a share of the box: counterexamples can sit in regions that small. */
    private static final double FINE_STEP = 1e-4;

    /** As {@link #search}, from the given starting points (inside [lo, hi]). */
    double[] searchFrom(double[] lo, double[] hi, List<LinearConstraint> conj, double[][] seeds, int steps) {
        return searchFrom(lo, hi, conj, seeds, steps, 0.25, 0.01);
    }

    /** As {@link #searchFrom}, the steps shrinking from {@code firstStep} of the box to {@code lastStep} of it. */
    double[] searchFrom(double[] lo, double[] hi, List<LinearConstraint> conj, double[][] seeds, int steps, double firstStep, double lastStep) {
        int d = lo.length, outs = conj.get(0).coef().length, m = conj.size(), starts = seeds.length;
        double[] x0 = new double[starts * d];
        for (int s = 0; s < starts; s++) System.arraycopy(seeds[s], 0, x0, s * d, d);
        double[] c = new double[m * outs], rhs = new double[m];
        for (int i = 0; i < m; i++) {
            System.arraycopy(conj.get(i).coef(), 0, c, i * outs, outs);
            rhs[i] = conj.get(i).rhs();
        }
        double[][] finals;
        try (NDManager nm = net32.manager().newSubManager()) {
            Shape shape = net32.batchShape(starts);
            NDArray loT = nm.create(tile(lo, starts), shape).toType(DataType.FLOAT32, false);
            NDArray hiT = nm.create(tile(hi, starts), shape).toType(DataType.FLOAT32, false);
            NDArray width = hiT.sub(loT);
            NDArray cT = nm.create(c, new Shape(m, outs)).toType(DataType.FLOAT32, false).transpose();
            NDArray dT = nm.create(rhs, new Shape(1, m)).toType(DataType.FLOAT32, false);
            NDArray x = nm.create(x0, shape).toType(DataType.FLOAT32, false);
            for (int t = 0; t < steps; t++) {
                try (NDManager sm = nm.newSubManager()) {
                    x.attach(sm);
                    TorchNet.Grad g = net32.inputGradient(x, z -> z.matMul(cT).sub(dT).max(new int[] {1}).sum());
                    // Step sizes shrink geometrically from a quarter of the box, so late steps refine.
                    double frac = firstStep * Math.pow(lastStep / firstStep, (double) t / Math.max(1, steps - 1));
                    NDArray next = x.sub(g.gradient().sign().mul(width).mul((float) frac)).maximum(loT).minimum(hiT);
                    next.attach(nm);
                    x = next;
                }
            }
            float[] f = x.toFloatArray();
            finals = new double[starts][d];
            for (int s = 0; s < starts; s++) for (int k = 0; k < d; k++) finals[s][k] = Math.min(Math.max(f[s * d + k], lo[k]), hi[k]);
        }
        double[][] y = net64.logits(finals);
        for (int s = 0; s < starts; s++) if (satisfies(conj, y[s])) return finals[s];
        return null;
    }

    /**
     * Starting points: the centre, and the random points (of {@value #SAMPLES} drawn) whose outputs come closest
     * to satisfying the conjunction, since gradient steps only refine a start that is already near.
     */
    private double[][] seeds(double[] lo, double[] hi, List<LinearConstraint> conj, int starts, int samples) {
        int d = lo.length;
        double[][] pts = new double[samples][d];
        for (int k = 0; k < d; k++) pts[0][k] = (lo[k] + hi[k]) / 2;
        for (int p = 1; p < samples; p++)
            for (int k = 0; k < d; k++) {
                pts[p][k] = lo[k] + random.nextDouble() * (hi[k] - lo[k]);
                // In the many-sample search, every other point has some inputs on the box's faces: a piecewise-linear
                // network takes its extremes at vertices of its pieces, often on the box's boundary.
                if (samples > SAMPLES && p % 2 == 0 && random.nextInt(4) == 0) pts[p][k] = random.nextBoolean() ? lo[k] : hi[k];
            }
        // Ranking only picks starts, so float32 does (float64 took 11 s of ResNet-4B's first minute); a start's own
        // check is in float64.
        double[][] y = net32.logits(pts);
        Integer[] order = new Integer[samples];
        double[] t = new double[samples];
        for (int p = 0; p < samples; p++) {
            order[p] = p;
            t[p] = Double.NEGATIVE_INFINITY;
            for (LinearConstraint c : conj) t[p] = Math.max(t[p], c.excess(y[p]));
        }
        java.util.Arrays.sort(order, 1, samples, (a, b) -> Double.compare(t[a], t[b]));
        double[][] out = new double[starts][];
        for (int s = 0; s < starts; s++) out[s] = pts[order[s]];
        return out;
    }

    static final int SAMPLES = 2048;

    /**
     * The first of the points that satisfies the conjunction, or null: screened in float32 (with a margin far above
     * its rounding) and confirmed in float64, since most batches hold no counterexample at all.
     */
    double[] firstSatisfying(double[][] xs, List<LinearConstraint> conj) {
        double[][] y32 = net32.logits(xs);
        List<Integer> near = new java.util.ArrayList<>();
        for (int i = 0; i < xs.length; i++) {
            double t = Double.NEGATIVE_INFINITY;
            for (LinearConstraint c : conj) t = Math.max(t, c.excess(y32[i]));
            if (t <= SCREEN_MARGIN * (1 + Math.abs(t))) near.add(i);
        }
        if (near.isEmpty()) return null;
        double[][] pts = new double[near.size()][];
        for (int k = 0; k < pts.length; k++) pts[k] = xs[near.get(k)];
        double[][] y = net64.logits(pts);
        for (int k = 0; k < pts.length; k++) if (satisfies(conj, y[k])) return pts[k];
        return null;
    }

    static final double SCREEN_MARGIN = 1e-3;

    static boolean satisfies(List<LinearConstraint> conj, double[] y) {
        for (LinearConstraint k : conj) if (!(k.excess(y) <= 0)) return false;
        return true;
    }

    /** {@code n} copies of v, one after another (a batch of one box). */
    static double[] tile(double[] v, int n) {
        double[] out = new double[v.length * n];
        for (int i = 0; i < n; i++) System.arraycopy(v, 0, out, i * v.length, v.length);
        return out;
    }
}
