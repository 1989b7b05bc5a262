package org.workbench.verify;

import java.util.List;
import org.workbench.net.Flatten;
import org.workbench.net.Layer;
import org.workbench.net.Linear;
import org.workbench.net.Network;
import org.workbench.net.Normalize;
import org.workbench.net.Relu;
import org.workbench.relax.NeuronBounds;

/**
 * The input split's "smear" (ReluVal's rule): how much each input can move the spec rows over a box, from interval
 * bounds of the gradient — an unstable ReLU's derivative is anywhere in [0, 1] — times the input's width. Unlike
 * CROWN's input coefficients, which see one linear relaxation, the gradient's interval also carries what the unstable
 * ReLUs could pass on, which is where the relaxation's looseness sits.
 */
final class Smear {
    private Smear() {}

    /** Whether {@link #of} can walk this network: a chain of dense layers, ReLUs, input normalization and flattens. */
    static boolean applies(Network net) {
        if (!net.isChain()) return false;
        for (Layer l : net.layers()) if (!(l instanceof Linear || l instanceof Relu || l instanceof Flatten || l instanceof Normalize n && n.std().length == 1)) return false;
        return true;
    }

    /**
     * Σ over rows of max |d row / d x_k| over the box, times x_k's width, for each input k. {@code bounds} are the box's
     * neuron bounds (a layer's input at its index); {@code rows[r]} the spec rows over the outputs.
     */
    static double[] of(Network net, NeuronBounds.Layers bounds, double[][] rows, double[] lo, double[] hi) {
        List<Layer> layers = net.layers();
        int n = rows.length;
        double[][] centre = new double[n][], radius = new double[n][];
        for (int r = 0; r < n; r++) {
            centre[r] = rows[r].clone();
            radius[r] = new double[rows[r].length];
        }
        for (int v = layers.size() - 1; v >= 0; v--) {
            Layer layer = layers.get(v);
            if (layer instanceof Linear lin) {
                for (int r = 0; r < n; r++) {
                    double[] c = new double[lin.in()], rad = new double[lin.in()];
                    for (int o = 0; o < lin.out(); o++) {
                        double co = centre[r][o], ro = radius[r][o];
                        if (co == 0 && ro == 0) continue;
                        int base = o * lin.in();
                        for (int i = 0; i < lin.in(); i++) {
                            double w = lin.weight()[base + i];
                            c[i] += co * w;
                            rad[i] += ro * Math.abs(w);
                        }
                    }
                    centre[r] = c;
                    radius[r] = rad;
                }
            } else if (layer instanceof Relu) {
                double[] l = bounds.lo().get(v), h = bounds.hi().get(v);
                for (int r = 0; r < n; r++)
                    for (int j = 0; j < l.length; j++) {
                        if (h[j] <= 0) {
                            centre[r][j] = 0;
                            radius[r][j] = 0;
                        } else if (l[j] < 0) {
                            // The derivative is 0 or 1: the interval [min(g_lo, 0), max(g_hi, 0)].
                            double gl = Math.min(centre[r][j] - radius[r][j], 0), gh = Math.max(centre[r][j] + radius[r][j], 0);
                            centre[r][j] = (gl + gh) / 2;
                            radius[r][j] = (gh - gl) / 2;
                        }
                    }
            } else if (layer instanceof Normalize norm) {
                for (int r = 0; r < n; r++)
                    for (int j = 0; j < centre[r].length; j++) {
                        double s = norm.std()[0];
                        centre[r][j] /= s;
                        radius[r][j] /= Math.abs(s);
                    }
            }
        }
        double[] smear = new double[lo.length];
        for (int r = 0; r < n; r++)
            for (int k = 0; k < lo.length; k++) smear[k] += (Math.abs(centre[r][k]) + radius[r][k]) * (hi[k] - lo[k]);
        return smear;
    }
}
