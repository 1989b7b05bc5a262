package org.workbench.relax;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.workbench.net.Flatten;
import org.workbench.net.Layer;
import org.workbench.net.Network;
import org.workbench.net.Relu;
import org.workbench.net.TorchNet;
import org.workbench.testing.RandomNets;

/**
 * The root's intermediate bounds that branch and bound starts from (alpha-CROWN per layer, its slopes searched in
 * float32 and each row's best iterate bounded in float64), as a property over random MLPs, CNNs and residual graphs:
 * every ReLU input at 400 points of the box (random and corners) lies inside them, they are never looser than CROWN's,
 * and the search tightens some; started from CROWN's bounds computed outside, the root's CROWN bounds are the same.
 */
class RootBoundsTest {

    @Test
    void alphaCrownRootBoundsHoldAndNeverLoosenCrown() {
        Random r = new Random(23);
        int tighter = 0, checked = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            for (int trial = 0; trial < 18; trial++) {
                Network net = trial % 3 == 0 ? RandomNets.cnn(r, 1, 6, 3) : trial % 3 == 1 ? RandomNets.residual(r, 1, 5, 3)
                        : RandomNets.mlp(r, 1, 5, 3);
                int n = net.inputSize();
                double[][] box = RandomNets.box(r, n, 0.05, 0.25);
                double[] lo = box[0], hi = box[1];
                double[][] x = new double[400][n];
                for (int p = 0; p < x.length; p++)
                    for (int k = 0; k < n; k++) x[p][k] = p % 2 == 0 ? lo[k] + r.nextDouble() * (hi[k] - lo[k]) : r.nextBoolean() ? lo[k] : hi[k];
                try (TorchNet t = new TorchNet(net, m, DataType.FLOAT64)) {
                    BetaCrown alpha = new BetaCrown(t, lo, hi, Long.MAX_VALUE, null, 20, 0, Branching.BABSR);
                    BetaCrown crown = new BetaCrown(t, lo, hi, Long.MAX_VALUE, null, 0, 0, Branching.BABSR);
                    // Started from CROWN's bounds computed outside (the verifier's first pass): the same root bounds.
                    BetaCrown given = new BetaCrown(t, lo, hi, NeuronBounds.of(t, lo, hi, NeuronBounds.Method.CROWN), Long.MAX_VALUE, null, 0, 0,
                                                    Branching.BABSR);
                    try {
                        for (int i = 0; i < net.layers().size(); i++) {
                            if (!(net.layers().get(i) instanceof Relu)) continue;
                            double[][] a = alpha.rootBounds(i), b = crown.rootBounds(i), z = layerInput(m, net, i, x);
                            assertArrayEquals(b[0], given.rootBounds(i)[0], "layer " + i);
                            assertArrayEquals(b[1], given.rootBounds(i)[1], "layer " + i);
                            for (int j = 0; j < a[0].length; j++) {
                                assertTrue(a[0][j] >= b[0][j] && a[1][j] <= b[1][j], "alpha-CROWN looser than CROWN at layer " + i + " neuron " + j);
                                if (a[0][j] > b[0][j] + 1e-6 || a[1][j] < b[1][j] - 1e-6) tighter++;
                                for (double[] zp : z) {
                                    double v = zp[j], tol = 1e-9 * (1 + Math.abs(v));
                                    assertTrue(v >= a[0][j] - tol && v <= a[1][j] + tol,
                                               "layer " + i + " neuron " + j + ": " + v + " outside [" + a[0][j] + ", " + a[1][j] + "]");
                                    checked++;
                                }
                            }
                        }
                    } finally {
                        alpha.close();
                        crown.close();
                        given.close();
                    }
                }
            }
        }
        assertTrue(tighter > 20, "alpha-CROWN tightened only " + tighter + " root bounds");
        assertTrue(checked > 100_000, "too few values checked: " + checked);
    }

    /** Layer {@code layer}'s input at each point (flattened), from the network cut before it, in float64. */
    private static double[][] layerInput(NDManager m, Network net, int layer, double[][] x) {
        int v = net.inputs().get(layer)[0];
        List<Layer> prefix = new ArrayList<>(net.layers().subList(0, v));
        List<int[]> wiring = new ArrayList<>(net.inputs().subList(0, v));
        prefix.add(new Flatten());
        wiring.add(new int[] {v});
        try (TorchNet t = new TorchNet(new Network(net.inputShape(), prefix, wiring, null), m, DataType.FLOAT64)) {
            return t.logits(x);
        }
    }
}
