package org.workbench.exact;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.workbench.net.Network;
import org.workbench.relax.NeuronBounds;
import org.workbench.solve.Batch;
import org.workbench.solve.Bound;
import org.workbench.solve.InnerSolver;
import org.workbench.solve.SolverContext;

/**
 * The exact solver of the inner maximization (Tjeng et al. 2019, MIPVerify): per sample the network is encoded
 * once as a mixed-integer program over the l-inf threat box (a binary per unstable ReLU, big-M from tightened
 * neuron bounds), and max z_j - z_y is solved per class j by swapping the objective.
 *
 * <p>Per class the answer is a bracket. Its upper end is the solver's proven bound plus a tolerance allowance
 * ({@link MipBackend#allowance}), +Infinity when the solver proved nothing (time limit before a bound, numerical
 * trouble); never the incumbent. Its lower end is a point, not a solver claim: each incumbent's input is
 * projected into the threat set and re-evaluated by a float64 forward pass, and class j gets the best z_j - z_y
 * over all of the sample's incumbents (any point of the threat set bounds every class's maximum from below).
 */
public final class Mip implements InnerSolver {

    /**
     * @param timeLimit seconds per sample, bound tightening included; the targets share what is left, each
     *     taking an equal part of the remainder, so time one target leaves unused passes to the next
     * @param gap absolute gap on the margin at which a target's solve may stop
     * @param untilDecided stop a target's solve once its sign is known (upper end below 0, or a point with margin
     *     above 0): enough for a verdict, and much faster than closing the gap
     */
    public record Settings(String backend, int threads, double timeLimit, Tighten tighten, double gap,
                           boolean untilDecided) {}

    /** "Decided" means this far from 0, so that the verdict survives the allowance and the float64 re-check. */
    static final double DECIDED = 1e-5;

    /** How the neuron bounds are obtained; each stage includes the ones before it (see {@link Tightening}). */
    public enum Tighten { IBP, CROWN, LP }

    /**
     * One sample's answer with what the tests and reports want beyond the Bound: per class whether the solver
     * finished (OPTIMAL) and its solve time, the number of binaries, and the time spent on neuron bounds.
     */
    public record Sample(Bound bound, boolean[] optimal, double[] targetSeconds, int binaries, double boundSeconds) {}

    private final String name;
    private final SolverContext ctx;
    private final Settings s;

    public Mip(String name, SolverContext ctx, Settings settings) {
        this.name = name;
        this.ctx = ctx;
        this.s = settings;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Kind kind() {
        return Kind.EXACT;
    }

    @Override
    public List<Bound> solve(Batch batch, double eps) {
        List<Bound> out = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) out.add(solveSample(batch.inputs()[i], batch.labels()[i], eps).bound());
        return out;
    }

    static int[] all(int n) {
        int[] v = new int[n];
        for (int k = 0; k < n; k++) v[k] = k;
        return v;
    }

    /** Solves one sample x with true class y at radius eps. */
    public Sample solveSample(double[] x, int y, double eps) {
        return solveSample(x, y, eps, null);
    }

    /**
     * As above for the classes in {@code targets} only (null: all); the others keep the trivial upper end
     * +Infinity, and their lower ends come from the points found for the solved ones.
     */
    public Sample solveSample(double[] x, int y, double eps, int[] targets) {
        try {
            return solveChecked(x, y, eps, targets);
        } catch (ArithmeticException e) {
            // A non-finite neuron bound or weight reached the encoding: no solver is handed it, the sample stays open.
            System.err.println(name + ": sample left open: " + e.getMessage());
            int classes = ctx.network().numClasses();
            double[] upper = new double[classes], lower = new double[classes];
            Arrays.fill(upper, Double.POSITIVE_INFINITY);
            Arrays.fill(lower, Double.NEGATIVE_INFINITY);
            upper[y] = lower[y] = Double.NaN;
            return new Sample(new Bound(upper, Bound.OPEN, null, 0, lower), new boolean[classes], new double[classes], 0, 0);
        }
    }

    private Sample solveChecked(double[] x, int y, double eps, int[] targets) {
        long start = System.nanoTime();
        long deadline = start + (long) (s.timeLimit() * 1e9);
        Network net = ctx.network();
        int n = x.length, classes = net.numClasses();
        double[] inLo = new double[n], inHi = new double[n];
        for (int k = 0; k < n; k++) {
            inLo[k] = ctx.threat().lower(x[k], eps);
            inHi[k] = ctx.threat().upper(x[k], eps);
        }
        // The LP stage may use up to half of the budget; the MIP is what the rest is for.
        NeuronBounds.Layers b = Tightening.of(net, ctx.float64(), inLo, inHi, s.tighten(), start + (deadline - start) / 2);
        double boundSeconds = (System.nanoTime() - start) / 1e9;

        boolean[] wanted = new boolean[classes];
        for (int j = 0; j < classes; j++) wanted[j] = targets == null;
        if (targets != null) for (int j : targets) wanted[j] = true;
        wanted[y] = false;
        double[] upper = new double[classes];
        Arrays.fill(upper, Double.POSITIVE_INFINITY);
        boolean[] optimal = new boolean[classes];
        double[] targetSeconds = new double[classes];
        List<double[]> points = new ArrayList<>();
        int binaries;
        try (MipBackend mip = MipBackend.of(s.backend(), s.threads(), s.gap())) {
            Encoding enc = Encoding.of(net, inLo, inHi, b.lo(), b.hi(), mip);
            binaries = mip.binaries();
            int[] logits = enc.logits, inputs = enc.inputs;
            // The clean input lies in the threat set: a first incumbent for every target.
            double[] start0 = enc.solution(ctx.float64(), ctx.threat().project(x, x, eps));
            if (start0 != null) mip.hint(all(enc.variables()), start0);
            int left = 0;
            for (boolean w : wanted) if (w) left++;
            for (int j = 0; j < classes; j++) {
                if (!wanted[j]) continue;
                long t0 = System.nanoTime();
                double seconds = (deadline - t0) / 1e9 / left--;
                double stop = s.untilDecided() ? DECIDED : Double.NaN, decided = s.untilDecided() ? -DECIDED : Double.NaN;
                MipBackend.Outcome o = mip.optimize(new int[] {logits[j], logits[y]}, new double[] {1, -1}, true, seconds,
                        stop, decided, inputs);
                upper[j] = o.bound();
                optimal[j] = o.status() == MipBackend.Status.OPTIMAL;
                targetSeconds[j] = (System.nanoTime() - t0) / 1e9;
                if (o.x() != null) points.add(ctx.threat().project(x, o.x(), eps));
            }
        }
        upper[y] = Double.NaN;

        double[] lower = new double[classes];
        Arrays.fill(lower, Double.NEGATIVE_INFINITY);
        lower[y] = Double.NaN;
        double[] witness = null;
        double bestWorst = Double.NEGATIVE_INFINITY;
        if (!points.isEmpty()) {
            double[][] z = ctx.float64().logits(points.toArray(new double[0][]));
            for (int p = 0; p < z.length; p++) {
                if (!ctx.threat().contains(x, points.get(p), eps)) continue;
                double worst = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < classes; j++) {
                    if (j == y) continue;
                    double m = z[p][j] - z[p][y];
                    if (Double.isNaN(m)) continue;
                    lower[j] = Math.max(lower[j], m);
                    worst = Math.max(worst, m);
                }
                if (worst > bestWorst) {
                    bestWorst = worst;
                    witness = points.get(p);
                }
            }
        }
        boolean verified = true;
        for (int j = 0; j < classes; j++) if (j != y && !(upper[j] < 0)) verified = false;
        // A re-checked witness outranks any solver claim; with sound upper ends the two cannot both hold.
        String status = bestWorst > 0 ? Bound.ATTACKED : verified ? Bound.VERIFIED : Bound.OPEN;
        double seconds = (System.nanoTime() - start) / 1e9;
        Bound bound = new Bound(upper, status, bestWorst > 0 ? witness : null, seconds, lower);
        return new Sample(bound, optimal, targetSeconds, binaries, boundSeconds);
    }
}
