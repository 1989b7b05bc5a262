package org.workbench.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.workbench.config.YNode;
import org.workbench.exact.Mip;
import org.workbench.exact.MipConfig;
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
 * The bab solver's bracket holds the exact answer: on random small networks, per sample and class, its lower end is
 * at most the MIP's proven optimum and its upper end at least that optimum (and no looser than CROWN's); its status
 * agrees with the optimum's sign. Residual graphs too (every fourth network). Both of its paths are exercised: branch and bound on ReLUs (input_split_max 0) and
 * on the input box.
 */
class BabSolverTest {
    static final int NETS = 20, INPUTS = 2;
    static final double TOL = 1e-6;

    @Test
    void bracketHoldsTheMipOptimum() {
        Random r = new Random(7);
        int checks = 0, decided = 0, samples = 0;
        for (int n = 0; n < NETS; n++) {
            Network net = n % 4 == 3 ? RandomNets.residual(r, 1, 4, 3 + r.nextInt(3))
                    : n % 2 == 0 ? RandomNets.mlp(r, 1, 4 + r.nextInt(2), 3 + r.nextInt(3)) : cnn(r);
            double eps = 0.02 + 0.25 * r.nextDouble();
            boolean clip = r.nextBoolean();
            Threat threat = new Threat(Norm.LINF, List.of(eps), clip, 0, 1);
            int classes = net.numClasses();
            double[][] x = new double[INPUTS][];
            int[] y = new int[INPUTS];
            for (int i = 0; i < INPUTS; i++) {
                x[i] = RandomNets.input(r, net.inputSize());
                y[i] = r.nextInt(classes);
            }
            Batch batch = new Batch(new int[] {0, 1}, x, y);
            boolean reluSplit = n % 3 != 2;
            try (SolverContext ctx = new SolverContext(net, threat, Objective.crossEntropy())) {
                YNode cfg = YNode.map(null, 0, "");
                cfg.put("time_limit", YNode.scalar(null, 0, "time_limit", "10"));
                cfg.put("refine_seconds", YNode.scalar(null, 0, "refine_seconds", "0.2"));
                if (reluSplit) cfg.put("input_split_max", YNode.scalar(null, 0, "input_split_max", "0"));
                List<Bound> bab = BabSolver.create("bab", cfg, ctx).solve(batch, eps);
                List<Bound> crown = RelaxConfig.crown("crown", YNode.map(null, 0, ""), ctx).solve(batch, eps);
                YNode mipCfg = YNode.map(null, 0, "");
                mipCfg.put("time_limit", YNode.scalar(null, 0, "time_limit", "30"));
                Mip mip = (Mip) MipConfig.mip("mip", mipCfg, ctx);
                for (int i = 0; i < INPUTS; i++) {
                    Mip.Sample s = mip.solveSample(x[i], y[i], eps);
                    Bound b = bab.get(i);
                    boolean anyPositive = false, allNegative = true, allOptimal = true;
                    for (int j = 0; j < classes; j++) {
                        if (j == y[i]) continue;
                        String at = String.format(Locale.ROOT, "net %d (%s) eps %.4f clip %s input %d class %d", n,
                                reluSplit ? "relu split" : "input split", eps, clip, i, j);
                        double lo = b.lowerMargins()[j], up = b.margins()[j];
                        assertTrue(lo <= up, at + ": lower end " + lo + " above upper end " + up);
                        assertTrue(up <= crown.get(i).margins()[j] + TOL, at + ": upper end " + up + " looser than CROWN " + crown.get(i).margins()[j]);
                        // The MIP's lower end is a re-checked point, its upper end a proven bound, whether optimal or not.
                        assertTrue(s.bound().lowerMargins()[j] <= up + TOL, at + ": MIP reached " + s.bound().lowerMargins()[j] + " above bab's bound " + up);
                        assertTrue(lo <= s.bound().margins()[j] + TOL, at + ": bab reached " + lo + " above the MIP's bound " + s.bound().margins()[j]);
                        if (s.optimal()[j]) {
                            double opt = s.bound().lowerMargins()[j];
                            anyPositive |= opt > 0;
                            allNegative &= opt < 0;
                        } else allOptimal = false;
                        checks++;
                    }
                    samples++;
                    if (!b.status().equals(Bound.OPEN)) decided++;
                    if (b.status().equals(Bound.ATTACKED)) {
                        assertNotNull(b.witness());
                        assertTrue(threat.contains(x[i], b.witness(), eps));
                        assertTrue(!allOptimal || anyPositive, "net " + n + " input " + i + ": attacked, but every optimum is <= 0");
                    } else {
                        assertNull(b.witness());
                    }
                    if (b.status().equals(Bound.VERIFIED)) assertTrue(!allOptimal || allNegative, "net " + n + " input " + i + ": verified, but an optimum is >= 0");
                }
            }
        }
        System.out.printf(Locale.ROOT, "BabSolverTest: %d class checks, %d of %d samples decided%n", checks, decided, samples);
        assertTrue(decided >= samples * 3 / 4, "only " + decided + " of " + samples + " samples decided");
    }

    private static Network cnn(Random r) {
        while (true) {
            try {
                return RandomNets.cnn(r, 1, 5, 3 + r.nextInt(3));
            } catch (IllegalArgumentException e) {
                // a kernel that does not fit the shrunken input: draw again
            }
        }
    }
}
