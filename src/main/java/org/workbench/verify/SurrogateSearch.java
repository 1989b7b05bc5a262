package org.workbench.verify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Random;
import org.workbench.net.Layer;
import org.workbench.net.Relu;
import org.workbench.net.TorchNet;
import org.workbench.relax.NeuronBounds;
import org.workbench.spec.LinearConstraint;

/**
 * Sign-gradient descent on each unsafe conjunction's largest violation max_m (c_m·f(x) - d_m), with gradients taken
 * through a surrogate network: every ReLU that CROWN leaves unstable on the box passes the gradient at its
 * relaxation's slope u/(u - l) as well as its own 0 or 1, the true derivative's weight growing from 0 to 1 over the
 * first 70 % of the steps. The forward values are the network's own throughout.
 *
 * <p>Why: on networks whose outputs are nearly flat over the box (mnistfc's, where the true class scores about 1
 * everywhere) the true gradient only sees the ReLUs active at the current point, and plain PGD stalls far from a
 * counterexample (256x2 prop_0_0.05: best violation 0.96 with 64 starts × 100 steps); the relaxation's slopes also
 * see the neurons that could switch on, as the corners of CROWN's bounds do, and the same budget reaches -0.085
 * (docs/experiments.md). Only points that a float64 forward pass puts in the unsafe set count.
 */
final class SurrogateSearch {
    private final TorchNet net32, net64;
    private final Random random;
    private double bestViolation = Double.POSITIVE_INFINITY;

    SurrogateSearch(TorchNet net32, TorchNet net64, long seed) {
        this.net32 = net32;
        this.net64 = net64;
        this.random = new Random(seed);
    }

    /** A float64-checked counterexample in [lo, hi] for one of the conjunctions, or null. */
    double[] search(double[] lo, double[] hi, List<List<LinearConstraint>> conjs, int startsPer, int steps) {
        if (conjs.isEmpty()) return null;
        int d = lo.length, k = conjs.size(), b = k * startsPer, outs = conjs.get(0).get(0).coef().length;
        int m = conjs.stream().mapToInt(List::size).max().orElseThrow();
        // Per-sample rows, padded by repeating a row (the max over rows stays the same); sample s works on conjunction s % k.
        double[] c = new double[b * m * outs], rhs = new double[b * m], x0 = new double[b * d];
        for (int s = 0; s < b; s++) {
            List<LinearConstraint> conj = conjs.get(s % k);
            for (int r = 0; r < m; r++) {
                LinearConstraint row = conj.get(Math.min(r, conj.size() - 1));
                System.arraycopy(row.coef(), 0, c, (s * m + r) * outs, outs);
                rhs[s * m + r] = row.rhs();
            }
            for (int i = 0; i < d; i++) x0[s * d + i] = s < k ? (lo[i] + hi[i]) / 2 : lo[i] + random.nextDouble() * (hi[i] - lo[i]);
        }
        NeuronBounds.Layers bounds = NeuronBounds.of(net64, lo, hi, NeuronBounds.Method.CROWN);
        List<Layer> layers = net32.network().layers();
        double[] best = new double[b];
        java.util.Arrays.fill(best, Double.POSITIVE_INFINITY);
        double[][] bestX = new double[b][];
        try (NDManager nm = net32.manager().newSubManager()) {
            NDArray[] slope = new NDArray[layers.size()];
            for (int i = 0; i < layers.size(); i++) {
                if (!(layers.get(i) instanceof Relu)) continue;
                double[] l = bounds.lo().get(i), u = bounds.hi().get(i);
                float[] s = new float[l.length];
                for (int j = 0; j < s.length; j++) s[j] = l[j] >= 0 ? 1f : u[j] <= 0 ? 0f : (float) (u[j] / (u[j] - l[j]));
                slope[i] = nm.create(s);
            }
            Shape shape = net32.batchShape(b);
            NDArray loT = nm.create(Falsifier.tile(lo, b), shape).toType(DataType.FLOAT32, false);
            NDArray hiT = nm.create(Falsifier.tile(hi, b), shape).toType(DataType.FLOAT32, false);
            NDArray width = hiT.sub(loT);
            NDArray cT = nm.create(c, new Shape(b, m, outs)).toType(DataType.FLOAT32, false);
            NDArray dT = nm.create(rhs, new Shape(b, m)).toType(DataType.FLOAT32, false);
            NDArray x = nm.create(x0, shape).toType(DataType.FLOAT32, false);
            for (int t = 0; t < steps; t++) {
                float trueWeight = (float) Math.min(1, t / (0.7 * steps));
                double frac = FIRST_STEP * Math.pow(LAST_STEP / FIRST_STEP, (double) t / Math.max(1, steps - 1));
                try (NDManager sm = nm.newSubManager()) {
                    x.attach(sm);
                    NDArray xi = x.stopGradient();
                    xi.setRequiresGradient(true);
                    NDArray violation, grad;
                    try (GradientCollector gc = sm.getEngine().newGradientCollector()) {
                        NDArray h = xi;
                        for (int i = 0; i < layers.size(); i++) {
                            if (slope[i] == null) {
                                h = layers.get(i).forward(h, net32.params().get(i));
                                continue;
                            }
                            NDArray relu = h.getNDArrayInternal().relu();
                            if (trueWeight >= 1) {
                                h = relu;
                                continue;
                            }
                            // Value relu(h); gradient trueWeight·relu'(h) + (1 - trueWeight)·slope.
                            NDArray lin = h.mul(slope[i].reshape(h.getShape().slice(1)));
                            h = relu.mul(trueWeight).add(lin.mul(1 - trueWeight)).add(relu.sub(lin).stopGradient().mul(1 - trueWeight));
                        }
                        violation = h.expandDims(1).mul(cT).sum(new int[] {2}).sub(dT).max(new int[] {1});
                        gc.backward(violation.sum());
                        grad = xi.getGradient();
                    }
                    float[] v = violation.toFloatArray();
                    float[] xs = null;
                    for (int s = 0; s < b; s++) {
                        if (!(v[s] < best[s])) continue;
                        if (xs == null) xs = x.toFloatArray();
                        best[s] = v[s];
                        bestX[s] = new double[d];
                        for (int i = 0; i < d; i++) bestX[s][i] = Math.min(Math.max(xs[s * d + i], lo[i]), hi[i]);
                    }
                    NDArray next = x.sub(grad.sign().mul(width).mul((float) frac)).maximum(loT).minimum(hiT);
                    next.attach(nm);
                    x = next;
                }
            }
        }
        for (double v : best) bestViolation = Math.min(bestViolation, v);
        for (int s = 0; s < b; s++) {
            if (!(best[s] <= Falsifier.SCREEN_MARGIN)) continue;
            double[] y = net64.logits(new double[][] {bestX[s]})[0];
            if (Falsifier.satisfies(conjs.get(s % k), y)) return bestX[s];
        }
        return null;
    }

    /** The smallest float32 violation the last search reached (above 0: nothing found). */
    double bestViolation() {
        return bestViolation;
    }

    /** Step sizes as shares of the box's width, shrinking geometrically (as {@link Falsifier}'s). */
    private static final double FIRST_STEP = 0.25, LAST_STEP = 0.01;
}
