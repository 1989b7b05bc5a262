package org.workbench.relax;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.workbench.attack.AttackConfig;
import org.workbench.config.YNode;
import org.workbench.exact.Mip;
import org.workbench.exact.MipConfig;
import org.workbench.net.Network;
import org.workbench.problem.Norm;
import org.workbench.problem.Objective;
import org.workbench.problem.Threat;
import org.workbench.solve.Batch;
import org.workbench.solve.Bound;
import org.workbench.solve.SolverContext;
import org.workbench.testing.RandomNets;

/**
 * The bound rules of max and average pooling, batch normalization and reshape, as properties over random networks
 * that hold them ({@link RandomNets#pooled}): every bound of IBP, CROWN, CROWN-IBP, alpha-CROWN (also with optimized
 * intermediate bounds) and the LP is at least the margin PGD and 100 random points reach; alpha-CROWN is never looser
 * than CROWN, the LP (l-inf) never looser than alpha-CROWN; the MIP's optimum lies between what PGD reaches and the
 * LP; and at eps 0 every bound is the forward pass's margin. The same holds on residual graphs
 * ({@link RandomNets#residual}: Add and Concat joins).
 */
class PoolingBoundsTest {
    static final int NETWORKS = 20, INPUTS = 10, POINTS = RelaxationSoundnessTest.POINTS;

    @Test
    void boundsDominateReachedMarginsAndKeepTheirOrder() {
        check(new Random(515), r -> RandomNets.pooled(r, 1 + r.nextInt(2), 6 + r.nextInt(3), 3 + r.nextInt(3)), "pooled", NETWORKS);
    }

    /** The same properties on residual networks: Add and Concat joins, back-substitution over the graph. */
    @Test
    void residualGraphsToo() {
        check(new Random(616), r -> RandomNets.residual(r, 1 + r.nextInt(2), 4 + r.nextInt(2), 3 + r.nextInt(3)), "residual", 10);
    }

    static void check(Random r, java.util.function.Function<Random, Network> family, String label, int networks) {
        int checks = 0, mipChecks = 0;
        for (int n = 0; n < networks; n++) {
            Network net = family.apply(r);
            Norm norm = n % 3 == 2 ? Norm.L2 : Norm.LINF;
            boolean clip = r.nextInt(4) != 0;
            double eps = norm == Norm.LINF ? 0.005 + 0.15 * r.nextDouble() : 0.05 + r.nextDouble();
            Threat threat = new Threat(norm, List.of(eps), clip, 0, 1);
            int classes = net.numClasses();
            Batch batch = RandomNets.batch(r, net, INPUTS);
            double[][] x = batch.inputs();
            int[] y = batch.labels();
            try (SolverContext ctx = new SolverContext(net, threat, Objective.crossEntropy())) {
                YNode pgdCfg = YNode.map(null, 0, "");
                pgdCfg.put("steps", YNode.scalar(null, 0, "steps", "20"));
                pgdCfg.put("alpha_over_eps", YNode.scalar(null, 0, "a", "0.2"));
                pgdCfg.put("target", YNode.scalar(null, 0, "target", "all"));
                List<Bound> lower = AttackConfig.pgd("pgd", pgdCfg, ctx).solve(batch, eps);
                List<Bound> ibp = new Ibp("ibp", ctx).solve(batch, eps);
                List<Bound> crown = new Crown("crown", ctx, 64).solve(batch, eps);
                List<Bound> crownIbp = new CrownIbp("crown-ibp", ctx).solve(batch, eps);
                List<Bound> alpha = new AlphaCrown("alpha", ctx, 64, 5, 0.2).solve(batch, eps);
                List<Bound> full = norm == Norm.LINF ? new AlphaCrown("alpha-full", ctx, 64, 5, 0.2, 5, EarlyStop.DEFAULT_PATIENCE).solve(batch, eps) : null;
                List<Bound> lp = new Lp("lp", ctx, true, "glop", 64).solve(batch, eps);
                Mip mip = null;
                if (norm == Norm.LINF && n % 2 == 0) {
                    YNode mipCfg = YNode.map(null, 0, "");
                    mipCfg.put("time_limit", YNode.scalar(null, 0, "time_limit", "5"));
                    mip = (Mip) MipConfig.mip("mip", mipCfg, ctx);
                }
                double[][] z = ctx.float64().logits(RelaxationSoundnessTest.randomPoints(r, threat, x, eps, y));
                for (int i = 0; i < INPUTS; i++) {
                    Mip.Sample exact = mip != null && i < 3 ? mip.solveSample(x[i], y[i], eps) : null;
                    for (int j = 0; j < classes; j++) {
                        if (j == y[i]) continue;
                        double reached = lower.get(i).margins()[j];
                        for (int p = 0; p < POINTS; p++) reached = Math.max(reached, z[i * POINTS + p][j] - z[i * POINTS + p][y[i]]);
                        String at = String.format(Locale.ROOT, "net %d %s eps %.4f clip %s input %d class %d\n%s", n, norm, eps, clip, i, j, net.describe());
                        if (exact != null) {
                            // The MIP's lower end is a point it reached (re-checked in float64): a bound below it is unsound.
                            reached = Math.max(reached, exact.bound().lowerMargins()[j]);
                            double proven = exact.bound().margins()[j];
                            assertTrue(proven >= reached - 1e-7 * (1 + Math.abs(reached)), at + ": MIP bound " + proven + " below reached " + reached);
                            mipChecks++;
                        }
                        double tol = 1e-9 * (1 + Math.abs(reached));
                        for (List<Bound> up : java.util.Arrays.asList(ibp, crown, crownIbp, alpha, full)) {
                            if (up == null) continue;
                            double u = up.get(i).margins()[j];
                            assertTrue(u >= reached - tol, at + ": bound " + u + " below reached " + reached);
                            checks++;
                        }
                        double a = alpha.get(i).margins()[j], c = crown.get(i).margins()[j], l = lp.get(i).margins()[j];
                        assertTrue(l >= reached - 1e-7 * (1 + Math.abs(reached)), at + ": LP " + l + " below reached " + reached);
                        assertTrue(a <= c + 1e-9 * (1 + Math.abs(c)), at + ": alpha-CROWN " + a + " looser than CROWN " + c);
                        if (full != null) assertTrue(full.get(i).margins()[j] <= c + 1e-9 * (1 + Math.abs(c)), at + ": alpha-CROWN-full looser than CROWN");
                        if (norm == Norm.LINF) assertTrue(l <= a + 1e-7 * (1 + Math.abs(a)), at + ": LP " + l + " looser than alpha-CROWN " + a);
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "PoolingBoundsTest (%s): %d bound checks, %d MIP checks%n", label, checks, mipChecks);
        assertTrue(mipChecks > 2 * networks, "MIP checks " + mipChecks);
    }

    /** At eps 0 the region is the point: every relaxation's bound is the forward pass's margin. */
    @Test
    void boundsAreExactAtEpsZero() {
        Random r = new Random(77);
        for (int n = 0; n < 20; n++) {
            Network net = n % 2 == 0 ? RandomNets.pooled(r, 1 + r.nextInt(2), 6 + r.nextInt(3), 3 + r.nextInt(3))
                    : RandomNets.residual(r, 1 + r.nextInt(2), 4 + r.nextInt(3), 3 + r.nextInt(3));
            Threat threat = new Threat(Norm.LINF, List.of(0.0), false, 0, 1);
            Batch batch = RandomNets.batch(r, net, 5);
            double[][] x = batch.inputs();
            int[] y = batch.labels();
            try (SolverContext ctx = new SolverContext(net, threat, Objective.crossEntropy())) {
                double[][] z = ctx.float64().logits(x);
                for (List<Bound> bounds : List.of(new Ibp("ibp", ctx).solve(batch, 0), new Crown("crown", ctx, 64).solve(batch, 0)))
                    for (int i = 0; i < 5; i++)
                        for (int j = 0; j < net.numClasses(); j++) {
                            if (j == y[i]) continue;
                            double m = z[i][j] - z[i][y[i]], u = bounds.get(i).margins()[j];
                            assertTrue(Math.abs(u - m) <= 1e-9 * (1 + Math.abs(m)), "net " + n + " input " + i + " class " + j + ": " + u + " vs " + m + "\n" + net.describe());
                        }
            }
        }
    }
}
