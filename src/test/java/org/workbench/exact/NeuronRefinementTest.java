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
 * cases) do tighten some, whichever order the neurons are taken in.
 */
class NeuronRefinementTest {

    @Test
    void refinedBoundsContainEverySampleAndNeverLoosen() {
        Random r = new Random(17);
        int cases = 0, tightened = 0, refined = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            while (cases < 25) {
                Network net = RandomNets.mlp(r, 1, 3, 3);
                List<Integer> relus = new ArrayList<>();
                for (int i = 0; i < net.layers().size(); i++) if (net.layers().get(i) instanceof Relu) relus.add(i);
                if (relus.size() < 2) continue;
                cases++;
                try (TorchNet net64 = new TorchNet(net, m, DataType.FLOAT64)) {
                    int d = net.inputSize();
                    double[] lo = new double[d], hi = new double[d];
                    for (int k = 0; k < d; k++) {
                        double c = r.nextDouble(), w = 0.05 + 0.3 * r.nextDouble();
                        lo[k] = c - w;
                        hi[k] = c + w;
                    }
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
        assertTrue(refined > 0 && tightened > 0, "refinement never ran or never tightened: " + refined + " refined, " + tightened + " tightened");
    }
}
