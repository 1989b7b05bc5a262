package org.workbench.exact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.workbench.net.Network;
import org.workbench.net.TorchNet;
import org.workbench.problem.Norm;
import org.workbench.problem.Objective;
import org.workbench.problem.Threat;
import org.workbench.relax.LpRelaxation;
import org.workbench.relax.NeuronBounds;
import org.workbench.solve.SolverContext;
import org.workbench.spec.LinearConstraint;
import org.workbench.testing.RandomNets;

/**
 * The compact program (affine layers substituted away) decides exactly what the full encoding decides: around the
 * exact maximum of a random logit difference, found by SCIP on the full encoding, a threshold just below it is met
 * (and the point returned meets it in float64) and one just above it is refuted.
 */
class CompactProgramTest {

    @Test
    void decidesLikeTheFullEncodingAroundTheExactMaximum() {
        Random r = new Random(11);
        for (int trial = 0; trial < 24; trial++) {
            Network net = RandomNets.any(r);
            int d = net.inputSize(), classes = net.numClasses();
            try (SolverContext ctx = new SolverContext(net, new Threat(Norm.LINF, List.of(0.1), true, 0, 1), Objective.crossEntropy())) {
                TorchNet net64 = ctx.float64();
                double[] lo = new double[d], hi = new double[d];
                double w = 0.01 + 0.1 * r.nextDouble();
                for (int k = 0; k < d; k++) {
                    double c = RandomNets.input(r, 1)[0];
                    lo[k] = Math.max(0, c - w);
                    hi[k] = Math.min(1, c + w);
                }
                NeuronBounds.Layers b = NeuronBounds.of(net64, lo, hi, NeuronBounds.Method.CROWN);
                int layers = net.layers().size();
                int i = r.nextInt(classes), j = (i + 1 + r.nextInt(classes - 1)) % classes;
                double[] row = new double[classes];
                row[i] = 1;
                row[j] = -1;
                double max = LpRelaxation.maximize(net, lo, hi, b.lo().subList(0, layers), b.hi().subList(0, layers),
                        new double[][] {row}, "scip", true)[0];
                double delta = 1e-3 * (1 + Math.abs(max));
                String at = "trial " + trial + " (" + d + " inputs, max of y" + i + " - y" + j + " = " + max + ")";
                double[] minus = new double[classes];
                for (int k = 0; k < classes; k++) minus[k] = -row[k];

                // row·y >= max - delta is met somewhere in the box.
                MipFeasibility.Result below = MipFeasibility.check(net, net64, lo, hi, b.lo(), b.hi(),
                        List.of(new LinearConstraint(minus, -(max - delta))), 30, "scip", true);
                assertEquals(MipFeasibility.Status.FOUND, below.status(), at);
                double[] y = net64.logits(new double[][] {below.x()})[0];
                assertTrue(y[i] - y[j] >= max - delta - 1e-6, at + ": the point returned gives " + (y[i] - y[j]));
                for (int k = 0; k < d; k++) assertTrue(below.x()[k] >= lo[k] && below.x()[k] <= hi[k], at + ": outside the box");

                // row·y >= max + delta is met nowhere.
                MipFeasibility.Result above = MipFeasibility.check(net, net64, lo, hi, b.lo(), b.hi(),
                        List.of(new LinearConstraint(minus, -(max + delta))), 30, "scip", true);
                assertEquals(MipFeasibility.Status.INFEASIBLE, above.status(), at);
            }
        }
    }
}
