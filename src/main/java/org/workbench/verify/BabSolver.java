package org.workbench.verify;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.workbench.config.YNode;
import org.workbench.net.Network;
import org.workbench.problem.Norm;
import org.workbench.relax.NeuronBounds;
import org.workbench.solve.NonFinite;
import org.workbench.solve.Batch;
import org.workbench.solve.Bound;
import org.workbench.solve.InnerSolver;
import org.workbench.solve.SolverContext;
import org.workbench.spec.LinearConstraint;
import org.workbench.spec.Property;

/**
 * The verification pipeline as an exact solver of the problem object: per sample, the property "some class j != y
 * reaches z_j >= z_y somewhere in the threat box", one conjunction per class, decided by {@link Verifier} within the
 * preset's time limit. Per class the bracket is [best margin evaluated in float64 at a point of the threat set,
 * proven upper bound over the box]; the sample is attacked with a re-checked counterexample, verified when every class
 * is ruled out, open otherwise.
 */
public final class BabSolver implements InnerSolver {
    private final String name;
    private final SolverContext ctx;
    private final VerifySettings settings;
    private final java.util.concurrent.atomic.AtomicLong subdomains = new java.util.concurrent.atomic.AtomicLong();

    BabSolver(String name, SolverContext ctx, VerifySettings settings) {
        this.name = name;
        this.ctx = ctx;
        this.settings = settings;
    }

    /** Keys: those of {@link VerifySettings} (see solvers/vnncomp.yaml); time_limit is seconds per sample. */
    public static InnerSolver create(String name, YNode cfg, SolverContext ctx) {
        VerifySettings settings = VerifySettings.read(cfg);
        if (ctx.threat().norm() != Norm.LINF)
            throw cfg.error("solver " + name + ": bab supports linf threats only (the problem's threat is "
                    + ctx.threat().norm().key() + "); its branch and bound works on a box");
        return new BabSolver(name, ctx, settings);
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
        for (int i = 0; i < batch.size(); i++) out.add(solveSample(batch.inputs()[i], batch.labels()[i], eps));
        return out;
    }

    /** Subdomains (or input boxes) bounded over every sample solved so far: the benchmarks' measure of throughput. */
    public long subdomains() {
        return subdomains.get();
    }

    Bound solveSample(double[] x, int y, double eps) {
        long start = System.nanoTime();
        Network net = ctx.network();
        int n = x.length, classes = net.numClasses();
        double[] lo = new double[n], hi = new double[n];
        for (int k = 0; k < n; k++) {
            lo[k] = ctx.threat().lower(x[k], eps);
            hi[k] = ctx.threat().upper(x[k], eps);
        }
        // One conjunction per class, in class order: z_y - z_j <= 0, i.e. the margin z_j - z_y reaches 0.
        List<Property.Case> cases = new ArrayList<>();
        int[] classAt = new int[classes - 1];
        for (int j = 0, at = 0; j < classes; j++) {
            if (j == y) continue;
            double[] c = new double[classes];
            c[y] = 1;
            c[j] = -1;
            cases.add(new Property.Case(lo, hi, List.of(new LinearConstraint(c, 0))));
            classAt[at++] = j;
        }
        Property property = new Property(null, n, classes, cases);
        Verifier verifier = new Verifier(net, property, settings, ctx.device());
        Verifier.Verdict v = verifier.run(settings.timeLimit());
        subdomains.addAndGet(verifier.subdomains());
        double[] proven = verifier.provenBounds();
        if (proven.length != classAt.length || Arrays.stream(proven).anyMatch(b -> !(b < Double.POSITIVE_INFINITY)))
            proven = withCrown(proven, lo, hi, y, classAt);
        // The crown solver's margins (never looser than IBP's last step) may beat the verifier's root on some class:
        // both are sound, so the smaller is kept, and a sample they rule out on every class is verified.
        double[] crown = org.workbench.relax.RelaxConfig.crown("crown", YNode.map(null, 0, ""), ctx)
                .solve(new Batch(new int[] {0}, new double[][] {x}, new int[] {y}), eps).get(0).margins();
        boolean crownRulesOut = true;
        for (int a = 0; a < classAt.length; a++) {
            double c = crown[classAt[a]];
            proven[a] = NonFinite.tighterUpper(proven[a], Double.isNaN(c) ? Double.POSITIVE_INFINITY : c);
            if (!(c < 0)) crownRulesOut = false;
        }

        double[] upper = new double[classes], lower = new double[classes];
        Arrays.fill(upper, Double.POSITIVE_INFINITY);
        Arrays.fill(lower, Double.NEGATIVE_INFINITY);
        upper[y] = lower[y] = Double.NaN;
        // The points evaluated: the clean input (inside every threat set) and the counterexample, each checked.
        List<double[]> points = new ArrayList<>();
        points.add(x);
        if (v.result().equals("sat") && v.x() != null && ctx.threat().contains(x, v.x(), eps)) points.add(v.x());
        double[][] logits = ctx.float64().logits(points.toArray(new double[0][]));
        double[] witness = null;
        double bestWorst = Double.NEGATIVE_INFINITY;
        for (int p = 0; p < points.size(); p++) {
            double worst = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < classes; j++) {
                if (j == y) continue;
                double m = logits[p][j] - logits[p][y];
                lower[j] = Math.max(lower[j], m);
                worst = Math.max(worst, m);
            }
            if (worst > bestWorst) {
                bestWorst = worst;
                witness = points.get(p);
            }
        }
        boolean allRuledOut = true;
        for (int a = 0; a < classAt.length; a++) {
            int j = classAt[a];
            double b = proven[a];
            // Never below a value reached: float64 rounding in the bound must not cross a checked point.
            upper[j] = Math.max(b, lower[j]);
            if (!(b < 0)) allRuledOut = false;
        }
        String status = bestWorst > 0 ? Bound.ATTACKED : (v.result().equals("unsat") || crownRulesOut) && allRuledOut ? Bound.VERIFIED : Bound.OPEN;
        return new Bound(upper, status, bestWorst > 0 ? witness : null, (System.nanoTime() - start) / 1e9, lower);
    }

    /**
     * Where the verifier stopped before bounding a class (a counterexample found at once, the time gone), CROWN's bound
     * over the box: the bracket keeps a finite upper end.
     */
    private double[] withCrown(double[] proven, double[] lo, double[] hi, int y, int[] classAt) {
        int classes = ctx.network().numClasses();
        double[][] rows = new double[classAt.length][classes];
        for (int a = 0; a < classAt.length; a++) {
            rows[a][classAt[a]] = 1;
            rows[a][y] = -1;
        }
        double[] crown = NeuronBounds.upper(ctx.float64(), new double[][] {lo}, new double[][] {hi}, rows, NeuronBounds.Method.CROWN)[0];
        double[] out = new double[classAt.length];
        for (int a = 0; a < out.length; a++) {
            double b = a < proven.length ? proven[a] : Double.POSITIVE_INFINITY;
            out[a] = NonFinite.tighterUpper(b, Double.isNaN(crown[a]) ? Double.POSITIVE_INFINITY : crown[a]);
        }
        return out;
    }
}
