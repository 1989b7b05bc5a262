package org.workbench.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.workbench.net.Layer;
import org.workbench.net.Linear;
import org.workbench.net.Network;
import org.workbench.net.Relu;
import org.workbench.relax.NeuronBounds;

/**
 * The smear bounds every gradient in the box: on random ReLU chains and boxes (interval bounds of the neurons), the
 * gradient of a spec row at 200 sampled points never exceeds the smear divided by the input's width; where every ReLU
 * is stable the gradient is constant and the smear equals it exactly.
 */
class SplitChoiceTest {

    @Test
    void theSmearBoundsTheGradientAtEverySampledPoint() {
        Random rnd = new Random(5);
        int tight = 0;
        for (int trial = 0; trial < 100; trial++) {
            int in = 2 + rnd.nextInt(5), width = 3 + rnd.nextInt(8), depth = 1 + rnd.nextInt(3), out = 2 + rnd.nextInt(3);
            List<Layer> layers = new ArrayList<>();
            int prev = in;
            for (int l = 0; l <= depth; l++) {
                int next = l == depth ? out : width;
                double[] w = new double[prev * next], b = new double[next];
                for (int q = 0; q < w.length; q++) w[q] = rnd.nextGaussian();
                for (int q = 0; q < b.length; q++) b[q] = rnd.nextGaussian() * 0.5;
                layers.add(new Linear(prev, next, w, b));
                if (l < depth) layers.add(new Relu());
                prev = next;
            }
            Network net = new Network(new int[] {in}, layers);
            assertTrue(SplitChoice.applies(net));
            double[] lo = new double[in], hi = new double[in];
            double size = trial % 4 == 0 ? 1e-7 : rnd.nextDouble();
            for (int k = 0; k < in; k++) {
                lo[k] = rnd.nextGaussian();
                hi[k] = lo[k] + size * (0.2 + rnd.nextDouble());
            }
            NeuronBounds.Layers bounds = intervals(layers, lo, hi);
            double[] row = new double[out];
            for (int c = 0; c < out; c++) row[c] = rnd.nextGaussian();
            double[] smear = SplitChoice.of(net, bounds, new double[][] {row}, lo, hi);
            boolean allStable = true;
            for (int v = 0; v < layers.size(); v++)
                if (layers.get(v) instanceof Relu)
                    for (int j = 0; j < bounds.lo().get(v).length; j++) if (bounds.lo().get(v)[j] < 0 && bounds.hi().get(v)[j] > 0) allStable = false;
            for (int s = 0; s < 200; s++) {
                double[] x = new double[in];
                for (int k = 0; k < in; k++) x[k] = lo[k] + rnd.nextDouble() * (hi[k] - lo[k]);
                double[] g = gradient(layers, x, row);
                for (int k = 0; k < in; k++) {
                    double bound = smear[k] / (hi[k] - lo[k]);
                    assertTrue(Math.abs(g[k]) <= bound * (1 + 1e-9) + 1e-12, "trial " + trial + " input " + k + ": |" + g[k] + "| > " + bound);
                    if (allStable && s == 0) assertEquals(Math.abs(g[k]), bound, 1e-9 * (1 + bound));
                }
            }
            if (allStable) tight++;
        }
        assertTrue(tight >= 10, "only " + tight + " boxes with every ReLU stable: the exact case went untested");
    }

    /** Interval bounds of each layer's input (index v) and of the outputs (last index). */
    private static NeuronBounds.Layers intervals(List<Layer> layers, double[] lo, double[] hi) {
        List<double[]> los = new ArrayList<>(), his = new ArrayList<>();
        double[] l = lo.clone(), h = hi.clone();
        for (Layer layer : layers) {
            los.add(l);
            his.add(h);
            double[] nl, nh;
            if (layer instanceof Linear lin) {
                nl = lin.bias().clone();
                nh = lin.bias().clone();
                for (int o = 0; o < lin.out(); o++)
                    for (int i = 0; i < lin.in(); i++) {
                        double w = lin.w(o, i);
                        nl[o] += w * (w >= 0 ? l[i] : h[i]);
                        nh[o] += w * (w >= 0 ? h[i] : l[i]);
                    }
            } else {
                nl = new double[l.length];
                nh = new double[l.length];
                for (int j = 0; j < l.length; j++) {
                    nl[j] = Math.max(l[j], 0);
                    nh[j] = Math.max(h[j], 0);
                }
            }
            l = nl;
            h = nh;
        }
        los.add(l);
        his.add(h);
        return new NeuronBounds.Layers(los, his);
    }

    /** d (row · network(x)) / dx, from x's activation pattern. */
    private static double[] gradient(List<Layer> layers, double[] x, double[] row) {
        List<boolean[]> active = new ArrayList<>();
        double[] v = x.clone();
        for (Layer layer : layers) {
            if (layer instanceof Linear lin) {
                double[] y = lin.bias().clone();
                for (int o = 0; o < lin.out(); o++) for (int i = 0; i < lin.in(); i++) y[o] += lin.w(o, i) * v[i];
                v = y;
            } else {
                boolean[] a = new boolean[v.length];
                for (int j = 0; j < v.length; j++) {
                    a[j] = v[j] > 0;
                    v[j] = Math.max(v[j], 0);
                }
                active.add(a);
            }
        }
        double[] g = row.clone();
        int relu = active.size() - 1;
        for (int q = layers.size() - 1; q >= 0; q--) {
            if (layers.get(q) instanceof Linear lin) {
                double[] ng = new double[lin.in()];
                for (int o = 0; o < lin.out(); o++) for (int i = 0; i < lin.in(); i++) ng[i] += g[o] * lin.w(o, i);
                g = ng;
            } else {
                boolean[] a = active.get(relu--);
                for (int j = 0; j < g.length; j++) if (!a[j]) g[j] = 0;
            }
        }
        return g;
    }
}
