package org.workbench.exact;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.workbench.config.YNode;
import org.workbench.net.Relu;
import org.workbench.net.TorchNet;
import org.workbench.problem.Norm;
import org.workbench.problem.Threat;
import org.workbench.solve.Batch;
import org.workbench.solve.Bound;
import org.workbench.solve.InnerSolver;
import org.workbench.solve.SolverContext;

/**
 * The inner maximum of a network without ReLUs (a linear model, the tutorial's chapter 2), in closed form: each
 * margin z_j − z_y is a·x' + c, maximized over the l-inf box coordinate by coordinate (x'_k at the end of its range
 * that a_k points to: for a binary model, the optimal attack δ* = −y·ε·sign(w) and the logit moving by ε‖w‖₁) or over
 * an unclipped l2 ball at x + ε·a/‖a‖ (the logit moving by ε‖w‖₂). The maximizer is evaluated by a float64 forward
 * pass: that value is the lower end, and the upper end adds a bound on the rounding of the evaluation.
 */
public final class LinearExact implements InnerSolver {
    private final String name;
    private final SolverContext ctx;

    LinearExact(String name, SolverContext ctx) {
        this.name = name;
        this.ctx = ctx;
    }

    /** No keys. Refuses networks with ReLUs and clipped l2 balls, where no closed form holds. */
    public static InnerSolver create(String name, YNode cfg, SolverContext ctx) {
        cfg.allowOnly(Set.of());
        long relus = ctx.network().layers().stream().filter(l -> l instanceof Relu).count();
        if (relus > 0)
            throw cfg.error("solver " + name + ": exact in closed form only for networks without ReLUs (this one has " + relus
                    + "); use mip for ReLU networks");
        Threat t = ctx.threat();
        if (t.norm() == Norm.L2 && t.clip())
            throw cfg.error("solver " + name + ": the l2 ball clipped to the box has no closed-form maximum; set threat.clip: false");
        return new LinearExact(name, ctx);
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
        long start = System.nanoTime();
        TorchNet net = ctx.float64();
        int classes = ctx.network().numClasses(), d = batch.inputs()[0].length;
        List<Bound> out = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            double[] x = batch.inputs()[i];
            int y = batch.labels()[i];
            double[] upper = new double[classes], lower = new double[classes];
            upper[y] = lower[y] = Double.NaN;
            double[][] points = new double[classes][];
            double[] scale = new double[classes];
            for (int j = 0; j < classes; j++) {
                if (j == y) continue;
                double[] a = coefficients(net, x, j, y);
                points[j] = maximizer(x, a, eps);
                for (int k = 0; k < d; k++) scale[j] += Math.abs(a[k] * points[j][k]);
                // The l2 point is shortened by 1e-12 of eps: the value it gives is short by at most that of eps·||a||.
                if (ctx.threat().norm() == Norm.L2) scale[j] += eps * norm(a);
            }
            List<double[]> evaluated = new ArrayList<>();
            for (int j = 0; j < classes; j++) if (j != y) evaluated.add(points[j]);
            double[][] z = net.logits(evaluated.toArray(new double[0][]));
            double best = Double.NEGATIVE_INFINITY;
            double[] witness = null;
            for (int j = 0, r = 0; j < classes; j++) {
                if (j == y) continue;
                double[] zr = z[r++];
                lower[j] = zr[j] - zr[y];
                // Rounding of a sum of d products in float64, with a wide margin: the closed form is exact otherwise.
                upper[j] = lower[j] + 1e-12 * (d + 10) * (1 + scale[j] + Math.abs(lower[j]));
                if (lower[j] > best) {
                    best = lower[j];
                    witness = points[j];
                }
            }
            boolean verified = true;
            for (int j = 0; j < classes; j++) if (j != y && !(upper[j] < 0)) verified = false;
            String status = best > 0 ? Bound.ATTACKED : verified ? Bound.VERIFIED : Bound.OPEN;
            out.add(new Bound(upper, status, best > 0 ? witness : null, 0, lower));
        }
        double seconds = (System.nanoTime() - start) / 1e9 / Math.max(1, batch.size());
        List<Bound> timed = new ArrayList<>();
        for (Bound b : out) timed.add(new Bound(b.margins(), b.status(), b.witness(), seconds, b.lowerMargins()));
        return timed;
    }

    /** The gradient of z_j − z_y, which for a network without ReLUs is its coefficient vector everywhere. */
    private static double[] coefficients(TorchNet net, double[] x, int j, int y) {
        try (NDManager m = net.manager().newSubManager()) {
            NDArray xa = m.create(x, net.batchShape(1));
            int classes = net.network().numClasses();
            double[] c = new double[classes];
            c[j] = 1;
            c[y] = -1;
            NDArray coef = m.create(c).reshape(1, classes);
            return net.inputGradient(xa, z -> z.mul(coef).sum(), false).gradient().toDoubleArray();
        }
    }

    private static double norm(double[] a) {
        double n = 0;
        for (double v : a) n += v * v;
        return Math.sqrt(n);
    }

    private double[] maximizer(double[] x, double[] a, double eps) {
        Threat t = ctx.threat();
        double[] p = new double[x.length];
        if (t.norm() == Norm.LINF) {
            for (int k = 0; k < x.length; k++) p[k] = a[k] > 0 ? t.upper(x[k], eps) : a[k] < 0 ? t.lower(x[k], eps) : x[k];
            return p;
        }
        double n = norm(a);
        // Shortened by 1e-12 so that rounding cannot land the point outside the ball; the upper end's allowance covers it.
        for (int k = 0; k < x.length; k++) p[k] = x[k] + (n > 0 ? eps * (1 - 1e-12) * a[k] / n : 0);
        return p;
    }
}
