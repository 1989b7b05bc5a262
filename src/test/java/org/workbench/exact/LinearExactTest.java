package org.workbench.exact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.workbench.attack.AttackConfig;
import org.workbench.config.YNode;
import org.workbench.net.Flatten;
import org.workbench.net.Network;
import org.workbench.problem.Norm;
import org.workbench.problem.Objective;
import org.workbench.problem.Threat;
import org.workbench.solve.Batch;
import org.workbench.solve.Bound;
import org.workbench.solve.SolverContext;
import org.workbench.testing.RandomNets;

/**
 * The closed-form inner maximum of binary linear models (the tutorial's chapter 2) is the value PGD converges to on
 * them: ℓ∞ balls clipped and unclipped (a corner of the box, the logit moving by ε‖w‖₁ when unclipped) and unclipped
 * ℓ2 balls (x + ε·w/‖w‖). Its bracket is tight, and PGD never passes its upper end.
 */
class LinearExactTest {

    @Test
    void closedFormEqualsWherePgdConverges() {
        Random r = new Random(12);
        for (int trial = 0; trial < 24; trial++) {
            Network net = new Network(new int[] {1, 4, 5}, List.of(new Flatten(), RandomNets.linear(r, 20, 2)));
            Norm norm = trial % 3 == 2 ? Norm.L2 : Norm.LINF;
            boolean clip = trial % 3 == 0;
            double eps = norm == Norm.LINF ? 0.05 + 0.3 * r.nextDouble() : 0.2 + 2 * r.nextDouble();
            Threat threat = new Threat(norm, List.of(eps), clip, 0, 1);
            int b = 5;
            double[][] x = new double[b][];
            int[] y = new int[b], ids = new int[b];
            for (int i = 0; i < b; i++) {
                x[i] = RandomNets.input(r, 20);
                y[i] = r.nextInt(2);
                ids[i] = i;
            }
            Batch batch = new Batch(ids, x, y);
            try (SolverContext ctx = new SolverContext(net, threat, Objective.crossEntropy())) {
                List<Bound> exact = LinearExact.create("linear-exact", YNode.map(null, 0, ""), ctx).solve(batch, eps);
                YNode cfg = YNode.map(null, 0, "");
                cfg.put("steps", YNode.scalar(null, 0, "steps", "100"));
                cfg.put("alpha_over_eps", YNode.scalar(null, 0, "alpha_over_eps", "0.1"));
                List<Bound> pgd = AttackConfig.pgd("pgd", cfg, ctx).solve(batch, eps);
                for (int i = 0; i < b; i++) {
                    int j = 1 - y[i];
                    double lo = exact.get(i).lowerMargins()[j], up = exact.get(i).margins()[j], reached = pgd.get(i).margins()[j];
                    String at = "trial " + trial + " (" + norm + ", clip " + clip + ", eps " + eps + ") sample " + i;
                    assertTrue(lo <= up && up - lo <= 1e-9 * (1 + Math.abs(lo)), at + ": bracket [" + lo + ", " + up + "]");
                    assertTrue(reached <= up, at + ": PGD " + reached + " above the exact maximum " + up);
                    assertEquals(lo, reached, 1e-4 * (1 + Math.abs(lo)), at + ": PGD does not reach the closed form");
                    assertEquals(lo > 0, exact.get(i).status().equals(Bound.ATTACKED), at);
                }
            }
        }
    }
}
