package org.workbench.verify;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.workbench.net.Network;
import org.workbench.net.TorchNet;
import org.workbench.spec.LinearConstraint;
import org.workbench.spec.Property;
import org.workbench.testing.RandomNets;

/**
 * The verifier against ground truth on random two-input networks: a dense grid of the box finds most
 * violations. An "unsat" with a violating grid point is a wrong answer; a "sat" must carry a counterexample
 * inside the box that a float64 forward pass puts in the unsafe set; both verdicts must occur.
 */
class VerifierSoundnessTest {

    @Test
    void verdictsAgreeWithAGridSearch() {
        Random r = new Random(3);
        int unsat = 0, sat = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            for (int trial = 0; trial < 40; trial++) {
                Network net = RandomNets.mlp(r, 2, 1, 3);
                double[] lo = {r.nextDouble() * 0.5, r.nextDouble() * 0.5};
                double[] hi = {lo[0] + 0.05 + 0.4 * r.nextDouble(), lo[1] + 0.05 + 0.4 * r.nextDouble()};
                int n = 201;
                double[][] grid = new double[n * n][];
                for (int a = 0; a < n; a++)
                    for (int b = 0; b < n; b++)
                        grid[a * n + b] = new double[] {lo[0] + (hi[0] - lo[0]) * a / (n - 1), lo[1] + (hi[1] - lo[1]) * b / (n - 1)};
                double[][] y;
                try (TorchNet t = new TorchNet(net, m, DataType.FLOAT64)) {
                    y = t.logits(grid);
                }
                // Unsafe: class 0 beats class 1 by at least d, and class 2 by at least 0; d is set near the grid's
                // best so that both verdicts occur.
                double best = Double.NEGATIVE_INFINITY;
                for (double[] v : y) if (v[0] >= v[2]) best = Math.max(best, v[0] - v[1]);
                if (best == Double.NEGATIVE_INFINITY) best = 0;
                double d = best + (r.nextBoolean() ? -0.05 : 0.05) * (1 + Math.abs(best));
                List<LinearConstraint> conj = List.of(new LinearConstraint(new double[] {-1, 1, 0}, -d),
                        new LinearConstraint(new double[] {-1, 0, 1}, 0));
                Property p = new Property(null, 2, 3, List.of(new Property.Case(lo, hi, conj)));
                boolean gridViolation = false;
                for (int i = 0; i < grid.length && !gridViolation; i++) gridViolation = p.violatedBy(grid[i], y[i], 0);
                Verifier.Verdict v = new Verifier(net, p).run(20);
                String at = "trial " + trial + " (grid violation " + gridViolation + ")";
                if (v.result().equals("unsat")) {
                    assertFalse(gridViolation, at + ": unsat but a grid point violates the property");
                    unsat++;
                } else if (v.result().equals("sat")) {
                    try (TorchNet t = new TorchNet(net, m, DataType.FLOAT64)) {
                        double[] yy = t.logits(new double[][] {v.x()})[0];
                        assertTrue(p.violatedBy(v.x(), yy, 0), at + ": counterexample does not re-evaluate into the unsafe set");
                    }
                    sat++;
                }
            }
        }
        assertTrue(unsat >= 5 && sat >= 5, "both verdicts should occur: unsat " + unsat + ", sat " + sat);
    }
}
