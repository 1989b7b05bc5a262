package org.workbench.relax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.workbench.net.Conv2d;
import org.workbench.net.Flatten;
import org.workbench.net.Layer;
import org.workbench.net.Network;
import org.workbench.net.Relu;
import org.workbench.problem.Norm;
import org.workbench.problem.Objective;
import org.workbench.problem.Threat;
import org.workbench.solve.Batch;
import org.workbench.solve.SolverContext;
import org.workbench.testing.RandomNets;

/**
 * Back-substitution on receptive fields ({@link PatchWalk}) gives the same bound as the walk over whole layers
 * ({@link GraphWalk}) for every neuron of every convolution, on random chains of convolutions (kernels 1-4, strides
 * 1-3, padding 0-2), ReLUs, batch norms and an input normalization, for l-inf and l2 regions: same bound rules, only
 * the zeros left out.
 */
class PatchWalkTest {

    @Test
    void sameBoundsAsTheWholeLayerWalk() {
        Random r = new Random(11);
        for (int trial = 0; trial < 24; trial++) {
            Network net = chain(r);
            Norm norm = trial % 3 == 2 ? Norm.L2 : Norm.LINF;
            double eps = norm == Norm.L2 ? 0.5 : 0.1;
            Threat threat = new Threat(norm, List.of(eps), trial % 2 == 0, 0, 1);
            try (SolverContext ctx = new SolverContext(net, threat, Objective.crossEntropy()); NDManager m = ctx.manager().newSubManager()) {
                int b = 1 + r.nextInt(3);
                Batch batch = RandomNets.batch(r, net, b);
                Region region = Region.of(m, batch, threat, eps, ctx.float64().batchShape(b).getShape());
                Propagation p = new Propagation(ctx.float64());
                List<NDArray[]> bounds = p.interval(region);
                List<int[]> shapes = net.shapes();
                int checked = 0;
                for (int v = 1; v < net.layers().size(); v++) {
                    if (!(net.layers().get(v - 1) instanceof Conv2d)) continue;
                    assertTrue(PatchWalk.applies(net, shapes, v), "trial " + trial + " value " + v);
                    int n = Layer.size(shapes.get(v)), rows = Math.min(n, 7);
                    int[] sample = new int[b * rows], neuron = new int[b * rows];
                    double[] sign = new double[b * rows];
                    double[] eye = new double[b * rows * n];
                    for (int s = 0; s < b; s++)
                        for (int i = 0; i < rows; i++) {
                            int at = s * rows + i;
                            sample[at] = s;
                            neuron[at] = r.nextInt(n);
                            sign[at] = r.nextBoolean() ? 1 : -1;
                            eye[at * n + neuron[at]] = sign[at];
                        }
                    int[] shape = shapes.get(v);
                    NDArray spec = m.create(eye, new Shape(b, rows, shape[0], shape[1], shape[2]));
                    double[] whole = p.upper(spec, v, bounds, region, null).toDoubleArray();
                    double[] patches = PatchWalk.upper(m, p, net, shapes, bounds, region, v, sample, neuron, sign).toDoubleArray();
                    for (int i = 0; i < whole.length; i++)
                        assertEquals(whole[i], patches[i], 1e-9 * (1 + Math.abs(whole[i])), "trial " + trial + " value " + v + " row " + i);
                    checked++;
                }
                assertTrue(checked >= 2);
            }
        }
    }

    /** Normalize?, then three convolutions each followed by a ReLU and maybe a batch norm, Flatten, Linear. */
    private static Network chain(Random r) {
        while (true) {
            List<Layer> layers = new ArrayList<>();
            int channels = 1 + r.nextInt(2), c = channels, side = 7 + r.nextInt(6), s = side;
            if (r.nextBoolean()) layers.add(new org.workbench.net.Normalize(new double[c], fill(c, 0.5)));
            boolean fits = true;
            for (int k = 0; k < 3 && fits; k++) {
                int out = 1 + r.nextInt(4), kernel = 1 + r.nextInt(4), stride = 1 + r.nextInt(k == 2 ? 3 : 2), pad = r.nextInt(3);
                if (pad >= kernel || s + 2 * pad < kernel) { fits = false; break; }
                Conv2d conv = new Conv2d(c, out, kernel, kernel, stride, pad,
                        RandomNets.gaussian(r, out * c * kernel * kernel, Math.sqrt(2.0 / (c * kernel * kernel))), RandomNets.gaussian(r, out, 0.1));
                layers.add(conv);
                if (r.nextBoolean()) layers.add(RandomNets.batchNorm(r, out));
                layers.add(new Relu());
                s = conv.outH(s);
                c = out;
            }
            if (!fits) continue;
            layers.add(new Flatten());
            layers.add(RandomNets.linear(r, c * s * s, 3));
            return new Network(new int[] {channels, side, side}, layers);
        }
    }

    private static double[] fill(int n, double v) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
