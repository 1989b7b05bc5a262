package org.workbench.exact;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.workbench.net.Network;
import org.workbench.net.Relu;
import org.workbench.net.TorchNet;
import org.workbench.relax.NeuronBounds;
import org.workbench.testing.RandomNets;

/**
 * MIP refinement of intermediate bounds, as a property over random networks and boxes: the refined bounds of every
 * ReLU input contain that input's value at every sampled point of the box, never loosen CROWN's, and (over all
 * cases) do tighten some and make some stable (the path that skips the second solve), whichever order the neurons
 * are taken in.
 */
class NeuronRefinementTest {

    @Test
    void refinedBoundsContainEverySampleAndNeverLoosen() {
        Random r = new Random(17);
        int cases = 0, tightened = 0, refined = 0, stabilized = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            while (cases < 25) {
                Network net = RandomNets.mlp(r, 1, 3, 3);
                List<Integer> relus = new ArrayList<>();
                for (int i = 0; i < net.layers().size(); i++) if (net.layers().get(i) instanceof Relu) relus.add(i);
                if (relus.size() < 2) continue;
                cases++;
                try (TorchNet net64 = new TorchNet(net, m, DataType.FLOAT64)) {
                    int d = net.inputSize();
                    double[][] box = box(r, d, 0.05);
                    double[] lo = box[0], hi = box[1];
                    NeuronBounds.Layers crown = NeuronBounds.of(net64, lo, hi, NeuronBounds.Method.CROWN);
                    List<double[]> l = new ArrayList<>(), h = new ArrayList<>();
                    for (double[] a : crown.lo()) l.add(a.clone());
                    for (double[] a : crown.hi()) h.add(a.clone());
                    for (int k : relus.subList(1, relus.size())) {
                        // Half the cases take the neurons in a weighted order: the order must not matter to soundness.
                        double[] weight = null;
                        if (r.nextBoolean()) {
                            weight = new double[l.get(k).length];
                            for (int j = 0; j < weight.length; j++) weight[j] = r.nextDouble();
                        }
                        refined += NeuronRefinement.refineLayer(net, net64, lo, hi, l, h, k, 10, Long.MAX_VALUE, 2, weight);
                    }
                    double[][] xs = new double[400][d];
                    for (double[] x : xs)
                        for (int k = 0; k < d; k++) x[k] = r.nextInt(4) == 0 ? (r.nextBoolean() ? lo[k] : hi[k]) : lo[k] + (hi[k] - lo[k]) * r.nextDouble();
                    for (int k : relus) {
                        for (int j = 0; j < l.get(k).length; j++) {
                            assertTrue(l.get(k)[j] >= crown.lo().get(k)[j] && h.get(k)[j] <= crown.hi().get(k)[j], "refinement loosened a bound");
                            if (l.get(k)[j] > crown.lo().get(k)[j] + 1e-6 || h.get(k)[j] < crown.hi().get(k)[j] - 1e-6) tightened++;
                            // Made stable by the refinement: its second solve was skipped, so the samples check that path.
                            boolean wasUnstable = crown.lo().get(k)[j] < 0 && crown.hi().get(k)[j] > 0;
                            if (wasUnstable && (l.get(k)[j] >= 0 || h.get(k)[j] <= 0)) stabilized++;
                        }
                        try (TorchNet prefix = new TorchNet(new Network(net.inputShape(), net.layers().subList(0, k)), m, DataType.FLOAT64)) {
                            double[][] z = prefix.logits(xs);
                            for (double[] zi : z)
                                for (int j = 0; j < zi.length; j++)
                                    assertTrue(zi[j] >= l.get(k)[j] - 1e-9 && zi[j] <= h.get(k)[j] + 1e-9,
                                            "layer " + k + " neuron " + j + ": " + zi[j] + " outside [" + l.get(k)[j] + ", " + h.get(k)[j] + "]");
                        }
                    }
                }
            }
        }
        assertTrue(refined > 0 && tightened > 0 && stabilized > 0, "refinement never ran, tightened or made a neuron stable: "
                + refined + " refined, " + tightened + " tightened, " + stabilized + " made stable");
    }

    /**
     * The bound-only search (best-bound node selection, heuristics off) must prove the same optima as SCIP's defaults:
     * on random networks, each logit's max and min solved both ways agree to the solvers' allowance, and lie above
     * (below) every sampled value.
     */
    @Test
    void boundOnlySearchProvesTheSameOptima() {
        Random r = new Random(23);
        int compared = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            for (int trial = 0; trial < 12; trial++) {
                Network net = RandomNets.mlp(r, 1, 3, 3);
                try (TorchNet net64 = new TorchNet(net, m, DataType.FLOAT64)) {
                    int d = net.inputSize();
                    double[][] box = box(r, d, 0.1);
                    double[] lo = box[0], hi = box[1];
                    NeuronBounds.Layers crown = NeuronBounds.of(net64, lo, hi, NeuronBounds.Method.CROWN);
                    double[][] xs = new double[300][d];
                    for (double[] x : xs) for (int k = 0; k < d; k++) x[k] = lo[k] + (hi[k] - lo[k]) * r.nextDouble();
                    double[][] y = net64.logits(xs);
                    double[][] bounds = new double[2][];
                    for (int variant = 0; variant < 2; variant++) {
                        try (MipBackend mip = MipBackend.of("scip", 1, 0)) {
                            if (variant == 1) mip.boundOnly();
                            Encoding enc = Encoding.of(net, lo, hi, crown.lo(), crown.hi(), mip);
                            double[] start = enc.solution(net64, xs[0]);
                            if (start != null) mip.hint(Mip.all(enc.variables()), start);
                            int outs = enc.logits.length;
                            bounds[variant] = new double[2 * outs];
                            for (int o = 0; o < outs; o++) {
                                for (int dir = 0; dir < 2; dir++) {
                                    MipBackend.Outcome out = mip.optimize(new int[] {enc.logits[o]}, new double[] {1}, dir == 0, 30, Double.NaN, Double.NaN, new int[0]);
                                    assertTrue(out.status() == MipBackend.Status.OPTIMAL, "not solved: " + out.status());
                                    bounds[variant][2 * o + dir] = out.bound();
                                    for (double[] yi : y)
                                        assertTrue(dir == 0 ? yi[o] <= out.bound() + 1e-9 : yi[o] >= out.bound() - 1e-9, "sample outside the proven bound");
                                }
                            }
                        }
                    }
                    for (int q = 0; q < bounds[0].length; q++) {
                        double a = bounds[0][q], b = bounds[1][q];
                        assertTrue(Math.abs(a - b) <= 4 * MipBackend.allowance(a) + 1e-6, "defaults " + a + " vs bound-only " + b);
                        compared++;
                    }
                }
            }
        }
        assertTrue(compared >= 24, "too few optima compared: " + compared);
    }

    /** A random box in d dimensions, centres in [0, 1], half-widths from minHalf to minHalf + 0.3. */
    private static double[][] box(Random r, int d, double minHalf) {
        double[] lo = new double[d], hi = new double[d];
        for (int k = 0; k < d; k++) {
            double c = r.nextDouble(), w = minHalf + 0.3 * r.nextDouble();
            lo[k] = c - w;
            hi[k] = c + w;
        }
        return new double[][] {lo, hi};
    }
}
