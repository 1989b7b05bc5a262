package org.workbench.exact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.workbench.net.Network;
import org.workbench.net.TorchNet;
import org.workbench.problem.Norm;
import org.workbench.problem.Objective;
import org.workbench.problem.Threat;
import org.workbench.relax.NeuronBounds;
import org.workbench.solve.SolverContext;
import org.workbench.spec.LinearConstraint;
import org.workbench.testing.RandomNets;

/** The verifier's MIP step on tiny networks: a conjunction a sampled point meets is FOUND, an impossible one INFEASIBLE. */
class MipFeasibilityTest {

    @Test
    void findsWhatASampledPointSatisfiesAndRefutesTheImpossible() {
        Random r = new Random(5);
        for (int trial = 0; trial < 6; trial++) {
            Network net = RandomNets.mlp(r, 1, 3, 3);
            String backend = trial % 2 == 0 ? "scip" : "highs";
            try (SolverContext ctx = new SolverContext(net, new Threat(Norm.LINF, List.of(0.1), true, 0, 1), Objective.crossEntropy())) {
                TorchNet net64 = ctx.float64();
                int d = net.inputSize();
                double[] lo = new double[d], hi = new double[d], x0 = new double[d];
                for (int k = 0; k < d; k++) {
                    double c = r.nextDouble(), w = 0.05 + 0.2 * r.nextDouble();
                    lo[k] = c - w;
                    hi[k] = c + w;
                    x0[k] = lo[k] + (hi[k] - lo[k]) * r.nextDouble();
                }
                NeuronBounds.Layers b = NeuronBounds.of(net64, lo, hi, NeuronBounds.Method.CROWN);
                double[] y0 = net64.logits(new double[][] {x0})[0];
                String at = "trial " + trial + " (" + backend + ")";

                // Met by x0 with a little room: FOUND, and the point returned meets it in float64 inside the box.
                List<LinearConstraint> met = List.of(new LinearConstraint(new double[] {1, -1, 0}, y0[0] - y0[1] + 0.01),
                        new LinearConstraint(new double[] {0, 0, 1}, y0[2] + 0.01));
                MipFeasibility.Result found = MipFeasibility.check(net, net64, lo, hi, b.lo(), b.hi(), met, 20, backend);
                assertEquals(MipFeasibility.Status.FOUND, found.status(), at);
                assertNotNull(found.x());
                double[] y = net64.logits(new double[][] {found.x()})[0];
                for (LinearConstraint c : met) assertTrue(c.satisfiedBy(y, 1e-6), at + ": " + c + " fails at the returned point");
                for (int k = 0; k < d; k++) assertTrue(found.x()[k] >= lo[k] && found.x()[k] <= hi[k], at + ": outside the box");

                // Y0 - Y1 <= -1 and Y1 - Y0 <= -1 add up to 0 <= -2.
                List<LinearConstraint> contradictory = List.of(new LinearConstraint(new double[] {1, -1, 0}, -1),
                        new LinearConstraint(new double[] {-1, 1, 0}, -1));
                MipFeasibility.Result none = MipFeasibility.check(net, net64, lo, hi, b.lo(), b.hi(), contradictory, 20, backend);
                assertEquals(MipFeasibility.Status.INFEASIBLE, none.status(), at);
                assertTrue(none.provenMin() > 0, at + ": proven min " + none.provenMin());

                // Y0 at least 1 above its CROWN upper bound over the box.
                double up0 = b.hi().get(net.layers().size())[0];
                MipFeasibility.Result beyond = MipFeasibility.check(net, net64, lo, hi, b.lo(), b.hi(),
                        List.of(new LinearConstraint(new double[] {-1, 0, 0}, -(up0 + 1))), 20, backend);
                assertEquals(MipFeasibility.Status.INFEASIBLE, beyond.status(), at);
            }
        }
    }
}
