package org.workbench.relax;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.workbench.net.Network;
import org.workbench.problem.Norm;
import org.workbench.problem.Objective;
import org.workbench.problem.Threat;
import org.workbench.solve.SolverContext;
import org.workbench.testing.RandomNets;

/**
 * CROWN's intermediate bounds of a batch equal those of each sample bounded alone, on random MLPs, CNNs, pooled and
 * residual networks whose input boxes differ in width by up to 100x, so that the samples' unstable neurons differ
 * widely in number and the rows of all samples go back to back (each with its own sample's bounds) rather than padded.
 */
class BatchedCrownTest {

    @Test
    void batchBoundsEqualSingleSampleBounds() {
        Random r = new Random(17);
        for (int trial = 0; trial < 20; trial++) {
            Network net = switch (trial % 5) {
                case 0 -> RandomNets.mlp(r, 1, 5, 4);
                case 1 -> RandomNets.cnn(r, 1, 8, 4);
                case 2 -> RandomNets.pooled(r, 1, 8, 4);
                case 3 -> RandomNets.mlp(r, 1, 24, 4); // 576 inputs: past 512 wide, rows go back to back, not padded
                default -> RandomNets.residual(r, 1, 6, 4);
            };
            int b = 3 + r.nextInt(3), d = net.inputSize();
            double[][] lo = new double[b][d], hi = new double[b][d];
            for (int s = 0; s < b; s++) {
                double width = s == 0 ? 0.3 : 0.3 * Math.pow(0.01, r.nextDouble());
                for (int k = 0; k < d; k++) {
                    double c = r.nextDouble();
                    lo[s][k] = c - width;
                    hi[s][k] = c + width;
                }
            }
            Threat threat = new Threat(Norm.LINF, List.of(0.1), false, 0, 1);
            try (SolverContext ctx = new SolverContext(net, threat, Objective.crossEntropy()); NDManager m = ctx.manager().newSubManager()) {
                long[] shape = ctx.float64().batchShape(b).getShape();
                Propagation p = new Propagation(ctx.float64());
                List<NDArray[]> batch = p.crown(Region.boxes(m, lo, hi, shape), m, 512);
                for (int s = 0; s < b; s++) {
                    long[] one = ctx.float64().batchShape(1).getShape();
                    List<NDArray[]> alone = new Propagation(ctx.float64())
                            .crown(Region.boxes(m, new double[][] {lo[s]}, new double[][] {hi[s]}, one), m, 512);
                    for (int v = 1; v < batch.size(); v++)
                        for (int side = 0; side < 2; side++) {
                            double[] got = Propagation.slice(batch.get(v)[side], s).toDoubleArray(), want = alone.get(v)[side].toDoubleArray();
                            for (int j = 0; j < want.length; j++)
                                assertEquals(want[j], got[j], 1e-9 * (1 + Math.abs(want[j])), "trial " + trial + " sample " + s + " value " + v + " side " + side + " neuron " + j);
                        }
                }
            }
        }
    }
}
