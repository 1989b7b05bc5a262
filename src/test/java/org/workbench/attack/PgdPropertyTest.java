package org.workbench.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.workbench.net.Network;
import org.workbench.problem.Norm;
import org.workbench.problem.Objective;
import org.workbench.problem.Threat;
import org.workbench.solve.Batch;
import org.workbench.solve.Bound;
import org.workbench.solve.SolverContext;
import org.workbench.testing.RandomNets;

/**
 * PGD never leaves ball ∩ box: over random networks, inputs (some on the box's faces), radii, norms, starts and
 * objectives, every raw float32 iterate it keeps lies in the threat set up to float32 rounding, and every
 * reported margin is reproduced by a float64 forward pass at the reported witness.
 */
class PgdPropertyTest {

    @Test
    void iteratesStayInBallAndBox() {
        Random r = new Random(5);
        for (int trial = 0; trial < 60; trial++) {
            Network net = RandomNets.any(r);
            Norm norm = trial % 2 == 0 ? Norm.LINF : Norm.L2;
            boolean clip = trial % 5 != 0;
            double eps = norm == Norm.LINF ? 0.01 + 0.3 * r.nextDouble() : 0.1 + 2 * r.nextDouble();
            Threat threat = new Threat(norm, List.of(eps), clip, 0, 1);
            int b = 6, d = net.inputSize();
            double[][] x = new double[b][];
            int[] y = new int[b], ids = new int[b];
            for (int i = 0; i < b; i++) {
                x[i] = RandomNets.input(r, d);
                y[i] = r.nextInt(net.numClasses());
                ids[i] = i;
            }
            Objective obj = switch (trial % 3) {
                case 0 -> Objective.crossEntropy();
                case 1 -> new Objective(Objective.Type.MARGIN, -1);
                default -> new Objective(Objective.Type.TARGETED, r.nextInt(net.numClasses()));
            };
            try (SolverContext ctx = new SolverContext(net, threat, obj)) {
                // Large steps push every iterate against the boundary, where a faulty projection would show.
                Pgd pgd = new Pgd("pgd", ctx, new Pgd.Settings(norm, 8, 0, 0.3 + r.nextDouble(), 2, trial % 4 != 0, r.nextBoolean(),
                        obj, false, trial));
                Batch batch = new Batch(ids, x, y);
                for (double[][] cand : pgd.candidates(batch, eps))
                    for (int i = 0; i < b; i++) {
                        double dist = threat.distance(x[i], cand[i]);
                        assertTrue(dist <= eps * (1 + 1e-5) + 1e-6, "trial " + trial + ": distance " + dist + " > eps " + eps);
                        if (clip)
                            for (double v : cand[i]) assertTrue(v >= -1e-7 && v <= 1 + 1e-7, "trial " + trial + ": left the box: " + v);
                    }
                List<Bound> bounds = pgd.solve(batch, eps);
                for (int i = 0; i < b; i++) {
                    Bound bd = bounds.get(i);
                    assertTrue(bd.witness() != null && threat.contains(x[i], bd.witness(), eps), "trial " + trial + ": witness outside");
                    double[] z = ctx.float64().logits(new double[][] {bd.witness()})[0];
                    double worst = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < z.length; j++) if (j != y[i]) worst = Math.max(worst, z[j] - z[y[i]]);
                    assertEquals(worst, bd.worst(), 1e-12 * (1 + Math.abs(worst)), "trial " + trial + ": reported worst margin not reproduced");
                    assertEquals(worst > 0, bd.status().equals(Bound.ATTACKED));
                }
            }
        }
    }
}
