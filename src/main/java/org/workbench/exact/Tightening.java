package org.workbench.exact;

import java.util.ArrayList;
import java.util.List;
import org.workbench.net.Network;
import org.workbench.net.Relu;
import org.workbench.net.TorchNet;
import org.workbench.relax.LpRelaxation;
import org.workbench.relax.NeuronBounds;

/**
 * Neuron bounds for the big-M encoding, tightened in stages as MIPVerify does (Tjeng et al. 2019): interval
 * arithmetic, then CROWN, then optionally one LP per unstable ReLU input. Tighter bounds mean smaller big-M
 * constants and fewer binaries (a neuron proven stable needs none), which is where MIP time goes.
 */
final class Tightening {
    /** Unstable neurons bounded per LP build: small enough to check the deadline often. */
    private static final int CHUNK = 32;

    private Tightening() {}

    /**
     * Bounds of every value of the network over the box (in a chain, each layer's input; index layers().size() holds
     * the outputs), as {@link NeuronBounds.Layers} keeps them; a ReLU's input is tightened by LP over the layers
     * before it (value v is the output of layer v - 1). The LP stage goes
     * layer by layer, so each layer's LPs use the tightened bounds of the layers before it, and it stops where
     * {@code deadline} (System.nanoTime) passes: the rest keep their CROWN bounds, which are just as sound.
     */
    static NeuronBounds.Layers of(Network net, TorchNet net64, double[] inLo, double[] inHi, Mip.Tighten level, long deadline) {
        NeuronBounds.Layers b = NeuronBounds.of(net64, inLo, inHi,
                level == Mip.Tighten.IBP ? NeuronBounds.Method.IBP : NeuronBounds.Method.CROWN);
        List<double[]> lo = new ArrayList<>(), hi = new ArrayList<>();
        for (double[] a : b.lo()) lo.add(a.clone());
        for (double[] a : b.hi()) hi.add(a.clone());
        if (level != Mip.Tighten.LP) return new NeuronBounds.Layers(lo, hi);
        boolean reluBefore = false;
        for (int i = 0; i < net.layers().size(); i++) {
            if (!(net.layers().get(i) instanceof Relu)) continue;
            // Before the first ReLU the network is affine, and CROWN is exact for an affine function over a box.
            if (reluBefore) tightenLayer(net, inLo, inHi, lo, hi, net.inputs().get(i)[0], i + 1, deadline);
            reluBefore = true;
        }
        return new NeuronBounds.Layers(lo, hi);
    }

    private static void tightenLayer(Network net, double[] inLo, double[] inHi, List<double[]> lo, List<double[]> hi,
                                     int layer, int reluOut, long deadline) {
        double[] l = lo.get(layer), h = hi.get(layer);
        List<Integer> unstable = new ArrayList<>();
        for (int k = 0; k < l.length; k++) if (l[k] < 0 && h[k] > 0) unstable.add(k);
        for (int start = 0; start < unstable.size(); start += CHUNK) {
            if (System.nanoTime() > deadline) return;
            int end = Math.min(unstable.size(), start + CHUNK);
            double[][] rows = new double[2 * (end - start)][l.length];
            for (int a = start; a < end; a++) {
                rows[2 * (a - start)][unstable.get(a)] = 1;
                rows[2 * (a - start) + 1][unstable.get(a)] = -1;
            }
            double[] up = LpRelaxation.maximizeLayerInput(net, inLo, inHi, lo, hi, layer, rows, "glop");
            for (int a = start; a < end; a++) {
                int k = unstable.get(a);
                double nl = Math.max(l[k], -up[2 * (a - start) + 1]), nh = Math.min(h[k], up[2 * (a - start)]);
                // Two sound bounds cannot cross except by rounding on a neuron that is nearly constant: keep the old.
                if (!(nl <= nh)) continue;
                l[k] = nl;
                h[k] = nh;
                // The ReLU's output bounds follow from its input's.
                lo.get(reluOut)[k] = Math.max(lo.get(reluOut)[k], Math.max(nl, 0));
                hi.get(reluOut)[k] = Math.min(hi.get(reluOut)[k], Math.max(nh, 0));
            }
        }
    }

    /** Neurons with l < 0 < u at the inputs of ReLU layers: each costs one binary in the MIP. */
    static int unstable(Network net, NeuronBounds.Layers b) {
        int n = 0;
        for (int i = 0; i < net.layers().size(); i++) {
            if (!(net.layers().get(i) instanceof Relu)) continue;
            int v = net.inputs().get(i)[0];
            double[] l = b.lo().get(v), h = b.hi().get(v);
            for (int k = 0; k < l.length; k++) if (l[k] < 0 && h[k] > 0) n++;
        }
        return n;
    }
}
