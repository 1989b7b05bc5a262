package org.workbench.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.workbench.exact.MipFeasibility;
import org.workbench.exact.NeuronRefinement;
import org.workbench.net.Flatten;
import org.workbench.net.Layer;
import org.workbench.net.Network;
import org.workbench.net.Relu;
import org.workbench.net.TorchNet;
import org.workbench.relax.BetaCrown;
import org.workbench.relax.NeuronBounds;
import org.workbench.spec.LinearConstraint;
import org.workbench.testing.RandomNets;

/**
 * Branch and bound on ReLUs, as properties over random networks: beta-CROWN's bound on a subdomain is never below
 * the value at any point of the box that satisfies the subdomain's splits (with and without MIP-refined root
 * bounds); and ReLU splitting agrees with the
 * exact MIP on every instance it decides.
 */
class ReluSplitTest {

    /** Flatten, 2-3 hidden ReLU layers, 3 outputs, over 1 x 5 x 5 inputs (25: beyond the input-split path). */
    private static Network net(Random r) {
        List<Layer> layers = new ArrayList<>();
        layers.add(new Flatten());
        int in = 25;
        for (int h = 0, hidden = 2 + r.nextInt(2); h < hidden; h++) {
            int out = 6 + r.nextInt(10);
            layers.add(RandomNets.linear(r, in, out));
            layers.add(new Relu());
            in = out;
        }
        layers.add(RandomNets.linear(r, in, 3));
        return new Network(new int[] {1, 5, 5}, layers);
    }

    /** Layer {@code layer}'s input at each point (flattened), from the network cut before it (kept per layer), in float64. */
    private static double[][] layerInput(NDManager m, Network net, int layer, double[][] x, java.util.Map<Integer, TorchNet> cut) {
        TorchNet t = cut.computeIfAbsent(layer, l -> {
            // Layer l reads value v, the output of layer v - 1 (in a chain v = l): the layers before it, then a Flatten of v.
            int v = net.inputs().get(l)[0];
            List<Layer> prefix = new ArrayList<>(net.layers().subList(0, v));
            List<int[]> wiring = new ArrayList<>(net.inputs().subList(0, v));
            prefix.add(new Flatten());
            wiring.add(new int[] {v});
            return new TorchNet(new Network(net.inputShape(), prefix, wiring, null), m, DataType.FLOAT64);
        });
        return t.logits(x);
    }

    @Test
    void subdomainBoundsHoldAtEveryPointOfTheSubdomain() {
        Random r = new Random(11);
        int checked = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            for (int trial = 0; trial < 30; trial++) {
                // Mostly MLPs over 25 inputs; every fifth a small CNN (convolution layers split too), every fifth a residual graph.
                Network net = trial % 5 == 4 ? RandomNets.cnn(r, 1, 6, 3) : trial % 5 == 3 ? RandomNets.residual(r, 1, 5, 3) : net(r);
                int n = net.inputSize();
                double[][] box = RandomNets.box(r, n, 0.05, 0.25);
                double[] lo = box[0], hi = box[1];
                double[][] rows = {RandomNets.gaussian(r, 3, 1), RandomNets.gaussian(r, 3, 1)};
                java.util.Map<Integer, TorchNet> cut = new java.util.HashMap<>();
                try (TorchNet t = new TorchNet(net, m, DataType.FLOAT64)) {
                    // Every other network starts from root bounds refined by MIP, as the verifier does after a while.
                    BetaCrown.Refiner refiner = trial % 2 == 0 || !net.isChain() ? null
                            : (k, l, h) -> NeuronRefinement.refineLayer(net, t, lo, hi, l, h, k, 5, Long.MAX_VALUE, 2);
                    BetaCrown bc = new BetaCrown(t, lo, hi, Long.MAX_VALUE, refiner);
                    try {
                        BetaCrown.Domain d = new BetaCrown.Domain(List.of(), null, null);
                        BetaCrown.Bounded b = bc.bound(List.of(d), rows, 10, 0.1, 0.05).get(0);
                        for (int depth = 0; depth < 6 && b.branch() != null; depth++) {
                            List<BetaCrown.Split> splits = new ArrayList<>(d.splits());
                            splits.add(new BetaCrown.Split(b.branch().layer(), b.branch().neuron(), r.nextBoolean()));
                            d = new BetaCrown.Domain(splits, r.nextBoolean() ? b.alpha() : null, r.nextBoolean() ? b.beta() : null);
                            b = bc.bound(List.of(d), rows, 5 + r.nextInt(20), 0.05 + 0.2 * r.nextDouble(), 0.05 + 0.5 * r.nextDouble()).get(0);
                            checked += checkPoints(m, net, t, lo, hi, rows, d.splits(), b, r, cut);
                        }
                    } finally {
                        bc.close();
                        for (TorchNet prefix : cut.values()) prefix.close();
                    }
                }
            }
        }
        assertTrue(checked > 4000, "too few points fell in the subdomains: " + checked);
    }

    /** Points of the box in the subdomain (random, and near the bound's own candidate): each must lie under the bound. */
    private static int checkPoints(NDManager m, Network net, TorchNet t, double[] lo, double[] hi, double[][] rows,
                                   List<BetaCrown.Split> splits, BetaCrown.Bounded b, Random r, java.util.Map<Integer, TorchNet> cut) {
        double[][] x = new double[600][lo.length];
        for (int p = 0; p < x.length; p++) {
            double near = r.nextDouble();
            for (int k = 0; k < lo.length; k++) {
                double u = lo[k] + r.nextDouble() * (hi[k] - lo[k]);
                x[p][k] = p % 2 == 0 ? u : b.candidate()[k] + near * (u - b.candidate()[k]);
            }
        }
        double[][] y = t.logits(x);
        boolean[] in = new boolean[x.length];
        java.util.Arrays.fill(in, true);
        java.util.Map<Integer, double[][]> inputs = new java.util.HashMap<>();
        for (BetaCrown.Split s : splits) {
            double[][] z = inputs.computeIfAbsent(s.layer(), l -> layerInput(m, net, l, x, cut));
            for (int p = 0; p < x.length; p++) if (s.active() ? z[p][s.neuron()] < 0 : z[p][s.neuron()] > 0) in[p] = false;
        }
        int inside = 0;
        for (int p = 0; p < x.length; p++) {
            if (!in[p]) continue;
            inside++;
            for (int q = 0; q < rows.length; q++) {
                double v = 0;
                for (int j = 0; j < 3; j++) v += rows[q][j] * y[p][j];
                assertTrue(v <= b.upper()[q] + 1e-9 * (1 + Math.abs(v)), "value " + v + " above the subdomain's bound " + b.upper()[q] + " (splits " + splits + ")");
            }
        }
        return inside;
    }

    @Test
    void decisionsAgreeWithTheExactMip() {
        Random r = new Random(5);
        int safe = 0, found = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            for (int trial = 0; trial < 30; trial++) {
                Network net = net(r);
                double[][] box = RandomNets.box(r, 25, 0.05, 0.15);
                double[] lo = box[0], hi = box[1];
                try (TorchNet t32 = new TorchNet(net, m, DataType.FLOAT32); TorchNet t64 = new TorchNet(net, m, DataType.FLOAT64)) {
                    // Unsafe: y1 - y0 >= d, with d near the largest value a search finds, on either side of it.
                    Falsifier f = new Falsifier(t32, t64, 1);
                    double best = Double.NEGATIVE_INFINITY;
                    for (double[] y : t64.logits(randomPoints(r, lo, hi, 2000))) best = Math.max(best, y[1] - y[0]);
                    // The true maximum lies between the best random point and CROWN's bound.
                    double up = NeuronBounds.upper(t64, new double[][] {lo}, new double[][] {hi}, new double[][] {{-1, 1, 0}}, NeuronBounds.Method.CROWN)[0][0];
                    double d = best + r.nextDouble() * (up - best);
                    List<LinearConstraint> conj = List.of(new LinearConstraint(new double[] {1, -1, 0}, -d));
                    BetaCrown bc = new BetaCrown(t64, lo, hi);
                    ReluSplit.Outcome o;
                    try {
                        // 32 children a round: the batch is cut in two for the worker threads, as in a real run.
                        o = ReluSplit.runTogether(List.of(new ReluSplit(t64, f, bc, lo, hi, conj)), bc, 32, 10, 0.01, 0.05, System.nanoTime() + 20_000_000_000L);
                        if (o == null) o = new ReluSplit.Outcome("unknown", null, 0);
                    } finally {
                        bc.close();
                    }
                    NeuronBounds.Layers nb = NeuronBounds.of(t64, lo, hi, NeuronBounds.Method.CROWN);
                    MipFeasibility.Result exact = MipFeasibility.check(net, t64, lo, hi, nb.lo(), nb.hi(), conj, 60, "scip");
                    String at = "trial " + trial + ": relu split " + o.status() + ", MIP " + exact.status() + " (min " + exact.provenMin() + ")";
                    if (o.status().equals("safe")) {
                        assertEquals(MipFeasibility.Status.INFEASIBLE, exact.status(), at);
                        safe++;
                    } else if (o.status().equals("found")) {
                        double[] y = t64.logits(new double[][] {o.x()})[0];
                        for (int k = 0; k < 25; k++) assertTrue(o.x()[k] >= lo[k] && o.x()[k] <= hi[k], at + ": outside the box");
                        assertTrue(y[1] - y[0] >= d, at + ": counterexample does not re-evaluate as unsafe");
                        found++;
                    }
                }
            }
        }
        System.out.println("relu split vs MIP: safe " + safe + ", found " + found);
        assertTrue(safe >= 5 && found >= 3, "both answers should occur: safe " + safe + ", found " + found);
    }

    private static double[][] randomPoints(Random r, double[] lo, double[] hi, int n) {
        double[][] x = new double[n][lo.length];
        for (double[] p : x) for (int k = 0; k < lo.length; k++) p[k] = lo[k] + r.nextDouble() * (hi[k] - lo[k]);
        return x;
    }
}
