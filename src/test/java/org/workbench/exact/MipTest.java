package org.workbench.exact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.workbench.attack.AttackConfig;
import org.workbench.config.InputError;
import org.workbench.config.YNode;
import org.workbench.net.Network;
import org.workbench.problem.Norm;
import org.workbench.problem.Objective;
import org.workbench.problem.Threat;
import org.workbench.relax.RelaxConfig;
import org.workbench.solve.Batch;
import org.workbench.solve.Bound;
import org.workbench.solve.SolverContext;
import org.workbench.testing.RandomNets;

/**
 * The central invariant with the exact solver in the middle: on random small networks, per sample and class,
 * PGD <= MIP lower end <= MIP upper end <= IBP, CROWN, alpha-CROWN and LP; and where the MIP finished, its lower
 * end (a real, re-checked point) is at least every margin reached at random points of the box.
 */
class MipTest {
    static final int NETS = 14, INPUTS = 2, POINTS = 200;
    static final double TOL = 1e-6;

    @Test
    void mipBracketSitsBetweenAttackAndRelaxations() {
        Random r = new Random(31);
        int checks = 0, optimalChecks = 0;
        long start = System.nanoTime();
        for (int n = 0; n < NETS; n++) {
            Network net = randomNet(r);
            double eps = 0.02 + 0.13 * r.nextDouble();
            boolean clip = r.nextInt(3) != 0;
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
            // Every tightening level and both backends get their turn; HiGHS on a third of the networks.
            String tighten = List.of("ibp", "crown", "lp").get(n % 3), backend = n % 3 == 1 ? "highs" : "scip";
            try (SolverContext ctx = new SolverContext(net, threat, Objective.crossEntropy())) {
                YNode pgdCfg = YNode.map(null, 0, "");
                pgdCfg.put("steps", YNode.scalar(null, 0, "steps", "20"));
                pgdCfg.put("alpha_over_eps", YNode.scalar(null, 0, "a", "0.2"));
                pgdCfg.put("target", YNode.scalar(null, 0, "target", "all"));
                List<Bound> pgd = AttackConfig.pgd("pgd", pgdCfg, ctx).solve(batch, eps);
                List<List<Bound>> uppers = List.of(
                        RelaxConfig.ibp("ibp", empty(), ctx).solve(batch, eps),
                        RelaxConfig.crown("crown", empty(), ctx).solve(batch, eps),
                        RelaxConfig.alphaCrown("alpha", empty(), ctx).solve(batch, eps),
                        RelaxConfig.lp("lp", empty(), ctx).solve(batch, eps));
                YNode cfg = empty();
                cfg.put("backend", YNode.scalar(null, 0, "backend", backend));
                cfg.put("tighten", YNode.scalar(null, 0, "tighten", tighten));
                cfg.put("time_limit", YNode.scalar(null, 0, "time_limit", "30"));
                Mip mip = (Mip) MipConfig.mip("mip", cfg, ctx);
                for (int i = 0; i < INPUTS; i++) {
                    Mip.Sample s = mip.solveSample(x[i], y[i], eps);
                    Bound b = s.bound();
                    double[][] z = ctx.float64().logits(randomPoints(r, threat, x[i], eps));
                    boolean verified = true, attacked = false;
                    for (int j = 0; j < classes; j++) {
                        if (j == y[i]) {
                            assertTrue(Double.isNaN(b.margins()[j]) && Double.isNaN(b.lowerMargins()[j]));
                            continue;
                        }
                        String at = String.format(Locale.ROOT, "net %d (%s, %s) eps %.4f clip %s input %d class %d", n, backend,
                                tighten, eps, clip, i, j);
                        double lo = b.lowerMargins()[j], up = b.margins()[j];
                        // Below the optimum the lower end is just some incumbent, which PGD may beat.
                        if (s.optimal()[j])
                            assertTrue(pgd.get(i).margins()[j] <= lo + TOL, at + ": PGD " + pgd.get(i).margins()[j] + " above MIP optimum " + lo);
                        assertTrue(pgd.get(i).margins()[j] <= up, at + ": PGD " + pgd.get(i).margins()[j] + " above MIP upper end " + up);
                        assertTrue(lo <= up, at + ": lower end " + lo + " above upper end " + up);
                        for (List<Bound> u : uppers) {
                            double rel = u.get(i).margins()[j];
                            // The upper end carries the documented tolerance allowance on top of the optimum.
                            assertTrue(up <= rel + TOL + MipBackend.allowance(rel), at + ": MIP upper end " + up + " above relaxation " + rel);
                        }
                        if (s.optimal()[j]) {
                            double reached = Double.NEGATIVE_INFINITY;
                            for (double[] zp : z) reached = Math.max(reached, zp[j] - zp[y[i]]);
                            assertTrue(reached <= lo + TOL, at + ": random point reached " + reached + " above the MIP optimum " + lo);
                            optimalChecks++;
                        }
                        verified &= up < 0;
                        attacked |= lo > 0;
                        checks++;
                    }
                    assertEquals(attacked ? Bound.ATTACKED : verified ? Bound.VERIFIED : Bound.OPEN, b.status());
                    if (attacked) {
                        assertNotNull(b.witness());
                        assertTrue(threat.contains(x[i], b.witness(), eps));
                    } else {
                        assertNull(b.witness());
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "MipTest: %d class checks, %d at proven optima, %.1f s%n", checks, optimalChecks,
                (System.nanoTime() - start) / 1e9);
        assertTrue(optimalChecks > checks * 3 / 4, "only " + optimalChecks + " of " + checks + " solved to optimality");
    }

    @Test
    void presetErrorsNameTheKey() {
        Network net = RandomNets.mlp(new Random(1), 1, 3, 3);
        try (SolverContext l2 = new SolverContext(net, new Threat(Norm.L2, List.of(0.1), true, 0, 1), Objective.crossEntropy());
             SolverContext linf = new SolverContext(net, new Threat(Norm.LINF, List.of(0.1), true, 0, 1), Objective.crossEntropy())) {
            InputError e = assertThrows(InputError.class, () -> MipConfig.mip("mip", empty(), l2));
            assertTrue(e.getMessage().contains("mip supports linf threats only"), e.getMessage());
            YNode cpSat = empty();
            cpSat.put("backend", YNode.scalar(null, 0, "backend", "cp-sat"));
            e = assertThrows(InputError.class, () -> MipConfig.mip("mip", cpSat, linf));
            assertTrue(e.getMessage().contains("all-integer"), e.getMessage());
            YNode unknown = empty();
            unknown.put("gurobi", YNode.scalar(null, 0, "gurobi", "yes"));
            assertThrows(InputError.class, () -> MipConfig.mip("mip", unknown, linf));
            YNode threads = empty();
            threads.put("threads", YNode.scalar(null, 0, "threads", "4"));
            e = assertThrows(InputError.class, () -> MipConfig.mip("mip", threads, linf));
            assertTrue(e.getMessage().contains("threads"), e.getMessage());
            YNode badTime = empty();
            badTime.put("time_limit", YNode.scalar(null, 0, "time_limit", "0"));
            assertThrows(InputError.class, () -> MipConfig.mip("mip", badTime, linf));
        }
    }

    static YNode empty() {
        return YNode.map(null, 0, "");
    }

    /** An MLP or a small CNN on [1,5,5] or [2,4,4], with 3 to 5 classes. */
    static Network randomNet(Random r) {
        while (true) {
            try {
                int classes = 3 + r.nextInt(3);
                if (r.nextBoolean()) return RandomNets.mlp(r, 1 + r.nextInt(2), r.nextBoolean() ? 4 : 5, classes);
                return RandomNets.cnn(r, 1, 5, classes);
            } catch (IllegalArgumentException e) {
                // a kernel that does not fit the shrunken input: draw again
            }
        }
    }

    /** POINTS points of the l-inf box (a third of them on its corners), clipped to [0, 1] when the threat clips. */
    static double[][] randomPoints(Random r, Threat t, double[] x, double eps) {
        double[][] out = new double[POINTS][x.length];
        for (int p = 0; p < POINTS; p++)
            for (int k = 0; k < x.length; k++) {
                double v = x[k] + eps * (p % 3 == 0 ? (r.nextBoolean() ? 1 : -1) : 2 * r.nextDouble() - 1);
                out[p][k] = t.clip() ? Math.min(Math.max(v, 0), 1) : v;
            }
        return out;
    }
}
