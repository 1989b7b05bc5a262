package org.workbench.relax;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.workbench.attack.AttackConfig;
import org.workbench.config.YNode;
import org.workbench.net.Network;
import org.workbench.problem.Norm;
import org.workbench.problem.Objective;
import org.workbench.problem.Threat;
import org.workbench.solve.Batch;
import org.workbench.solve.Bound;
import org.workbench.solve.SolverContext;
import org.workbench.testing.RandomNets;

/**
 * Soundness as a property: on 10,000 random (network, input, eps, norm, clipping) cases, every upper bound of
 * IBP, CROWN, alpha-CROWN and (on a quarter of them) the LP is at least the margin reached by PGD and at 100
 * random points of the threat set; with the same neuron bounds, LP <= alpha-CROWN <= CROWN <= IBP.
 */
class RelaxationSoundnessTest {
    static final int NETWORKS = 200, INPUTS = 50, POINTS = 100;

    @Test
    void upperBoundsDominateEveryReachedMargin() {
        Random r = new Random(2024);
        int cases = 0, checks = 0, lpChecks = 0;
        for (int n = 0; n < NETWORKS; n++) {
            Network net = RandomNets.any(r);
            Norm norm = r.nextBoolean() ? Norm.LINF : Norm.L2;
            boolean clip = r.nextInt(4) != 0;
            double eps = norm == Norm.LINF ? 0.002 + 0.2 * r.nextDouble() * r.nextDouble() : 0.01 + 1.5 * r.nextDouble() * r.nextDouble();
            Threat threat = new Threat(norm, List.of(eps), clip, 0, 1);
            int d = net.inputSize(), classes = net.numClasses();
            double[][] x = new double[INPUTS][];
            int[] y = new int[INPUTS], ids = new int[INPUTS];
            for (int i = 0; i < INPUTS; i++) {
                x[i] = RandomNets.input(r, d);
                y[i] = r.nextInt(classes);
                ids[i] = i;
            }
            Batch batch = new Batch(ids, x, y);
            try (SolverContext ctx = new SolverContext(net, threat, Objective.crossEntropy())) {
                YNode pgdCfg = YNode.map(null, 0, "");
                pgdCfg.put("steps", YNode.scalar(null, 0, "steps", "10"));
                pgdCfg.put("alpha_over_eps", YNode.scalar(null, 0, "a", "0.25"));
                pgdCfg.put("target", YNode.scalar(null, 0, "target", "all"));
                List<Bound> lower = AttackConfig.pgd("pgd", pgdCfg, ctx).solve(batch, eps);
                List<Bound> ibp = new Ibp("ibp", ctx).solve(batch, eps);
                List<Bound> crown = new Crown("crown", ctx, 64).solve(batch, eps);
                List<Bound> crownIbp = new CrownIbp("crown-ibp", ctx).solve(batch, eps);
                List<Bound> alpha = new AlphaCrown("alpha", ctx, 64, 5, 0.2).solve(batch, eps);
                // LP on every fourth network (2,500 cases): same CROWN neuron bounds as the two above.
                List<Bound> lp = n % 4 == 0 ? new Lp("lp", ctx, true, "glop", 64).solve(batch, eps) : null;
                double[][] points = randomPoints(r, threat, x, eps, y);
                double[][] z = ctx.float64().logits(points);
                for (int i = 0; i < INPUTS; i++) {
                    cases++;
                    for (int j = 0; j < classes; j++) {
                        if (j == y[i]) continue;
                        double reached = lower.get(i).margins()[j];
                        for (int p = 0; p < POINTS; p++) reached = Math.max(reached, z[i * POINTS + p][j] - z[i * POINTS + p][y[i]]);
                        String at = "net " + n + " " + norm + " eps " + eps + " clip " + clip + " input " + i + " class " + j;
                        double tol = 1e-9 * (1 + Math.abs(reached));
                        for (List<Bound> up : List.of(ibp, crown, crownIbp, alpha)) {
                            double u = up.get(i).margins()[j];
                            assertTrue(u >= reached - tol, at + ": bound " + u + " below reached " + reached);
                            checks++;
                        }
                        double a = alpha.get(i).margins()[j], c = crown.get(i).margins()[j];
                        assertTrue(a <= c + 1e-9 * (1 + Math.abs(c)), at + ": alpha-CROWN " + a + " looser than CROWN " + c);
                        double iv = ibp.get(i).margins()[j];
                        assertTrue(c <= iv + 1e-9 * (1 + Math.abs(iv)), at + ": CROWN " + c + " looser than IBP " + iv);
                        if (lp != null) {
                            double l = lp.get(i).margins()[j];
                            assertTrue(l >= reached - 1e-7 * (1 + Math.abs(reached)), at + ": LP " + l + " below reached " + reached);
                            // For l2 the LP sees only the box around the ball, so the order holds for l-inf alone.
                            if (norm == Norm.LINF)
                                assertTrue(l <= a + 1e-7 * (1 + Math.abs(a)), at + ": LP " + l + " looser than alpha-CROWN " + a);
                            lpChecks++;
                        }
                    }
                }
            }
        }
        assertTrue(cases >= 10_000, "cases " + cases);
        assertTrue(checks > 3 * cases, "checks " + checks);
        assertTrue(lpChecks > 2_500, "LP checks " + lpChecks);
    }

    /**
     * alpha-CROWN with optimized intermediate bounds (alpha-crown-full) on l-inf threats: at least every margin PGD and
     * random points reach, never looser than CROWN, and tighter than it somewhere.
     */
    @Test
    void optimizedIntermediateBoundsAreSoundAndTighter() {
        Random r = new Random(99);
        int tighter = 0, checks = 0;
        for (int n = 0; n < 12; n++) {
            Network net = RandomNets.any(r);
            boolean clip = r.nextBoolean();
            double eps = 0.01 + 0.15 * r.nextDouble();
            Threat threat = new Threat(Norm.LINF, List.of(eps), clip, 0, 1);
            int d = net.inputSize(), classes = net.numClasses();
            double[][] x = new double[INPUTS][];
            int[] y = new int[INPUTS], ids = new int[INPUTS];
            for (int i = 0; i < INPUTS; i++) {
                x[i] = RandomNets.input(r, d);
                y[i] = r.nextInt(classes);
                ids[i] = i;
            }
            Batch batch = new Batch(ids, x, y);
            try (SolverContext ctx = new SolverContext(net, threat, Objective.crossEntropy())) {
                List<Bound> crown = new Crown("crown", ctx, 64).solve(batch, eps);
                List<Bound> full = new AlphaCrown("alpha-full", ctx, 64, 5, 0.2, 5, EarlyStop.DEFAULT_PATIENCE).solve(batch, eps);
                double[][] z = ctx.float64().logits(randomPoints(r, threat, x, eps, y));
                for (int i = 0; i < INPUTS; i++)
                    for (int j = 0; j < classes; j++) {
                        if (j == y[i]) continue;
                        double reached = Double.NEGATIVE_INFINITY;
                        for (int p = 0; p < POINTS; p++) reached = Math.max(reached, z[i * POINTS + p][j] - z[i * POINTS + p][y[i]]);
                        double f = full.get(i).margins()[j], c = crown.get(i).margins()[j];
                        String at = "net " + n + " eps " + eps + " clip " + clip + " input " + i + " class " + j;
                        assertTrue(f >= reached - 1e-9 * (1 + Math.abs(reached)), at + ": bound " + f + " below reached " + reached);
                        assertTrue(f <= c + 1e-9 * (1 + Math.abs(c)), at + ": " + f + " looser than CROWN " + c);
                        if (f < c - 1e-6 * (1 + Math.abs(c))) tighter++;
                        checks++;
                    }
            }
        }
        assertTrue(tighter > checks / 20, "tighter than CROWN on only " + tighter + " of " + checks);
    }

    /**
     * At eps = 0 the region is the point x: back-substitution through every layer (the transposed convolution
     * included) must reproduce the margins of the forward pass, and IBP too.
     */
    @Test
    void boundsAreExactAtEpsZero() {
        Random r = new Random(7);
        for (int n = 0; n < 40; n++) {
            Network net = n % 2 == 0 ? RandomNets.cnn(r, 1 + r.nextInt(2), 6 + r.nextInt(4), 5) : RandomNets.mlp(r, 1, 5, 5);
            double[][] x = new double[8][];
            int[] y = new int[8], ids = new int[8];
            for (int i = 0; i < 8; i++) {
                x[i] = RandomNets.input(r, net.inputSize());
                y[i] = r.nextInt(5);
                ids[i] = i;
            }
            Threat threat = new Threat(n % 4 < 2 ? Norm.LINF : Norm.L2, List.of(0.0), true, 0, 1);
            try (SolverContext ctx = new SolverContext(net, threat, Objective.crossEntropy())) {
                double[][] z = ctx.float64().logits(x);
                Batch batch = new Batch(ids, x, y);
                for (List<Bound> bounds : List.of(new Crown("crown", ctx, 16).solve(batch, 0), new Ibp("ibp", ctx).solve(batch, 0)))
                    for (int i = 0; i < 8; i++)
                        for (int j = 0; j < 5; j++) {
                            if (j == y[i]) continue;
                            double m = z[i][j] - z[i][y[i]];
                            double u = bounds.get(i).margins()[j];
                            assertTrue(Math.abs(u - m) <= 1e-9 * (1 + Math.abs(m)), "net " + n + " input " + i + " class " + j + ": " + u + " vs " + m);
                        }
            }
        }
    }

    /** POINTS points per input, uniform in the l-inf box or the l2 ball, then clipped (which stays in the ball). */
    static double[][] randomPoints(Random r, Threat t, double[][] x, double eps, int[] y) {
        List<double[]> out = new ArrayList<>();
        for (double[] xi : x)
            for (int p = 0; p < POINTS; p++) {
                double[] q = new double[xi.length];
                if (t.norm() == Norm.LINF) {
                    for (int k = 0; k < q.length; k++) q[k] = xi[k] + eps * (p % 3 == 0 ? (r.nextBoolean() ? 1 : -1) : 2 * r.nextDouble() - 1);
                } else {
                    double s = 0;
                    double[] g = new double[q.length];
                    for (int k = 0; k < q.length; k++) {
                        g[k] = r.nextGaussian();
                        s += g[k] * g[k];
                    }
                    double rad = eps * (p % 3 == 0 ? 1 : Math.pow(r.nextDouble(), 1.0 / q.length)) / Math.sqrt(s);
                    for (int k = 0; k < q.length; k++) q[k] = xi[k] + g[k] * rad;
                }
                if (t.clip()) for (int k = 0; k < q.length; k++) q[k] = Math.min(Math.max(q[k], 0), 1);
                out.add(q);
            }
        return out.toArray(new double[0][]);
    }
}
