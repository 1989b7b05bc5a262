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
 * Which input the input split halves a box along: the one with the largest influence on the spec rows over the box.
 * The influence is the input's "smear" (ReluVal's rule): interval bounds of the gradient — an unstable ReLU's
 * derivative is anywhere in [0, 1] — times the input's width; or width times the magnitude of CROWN's input
 * coefficients. The coefficients see one linear relaxation only, and the looseness of the unstable ReLUs can sit on an
 * input they barely weigh: the same box is then halved again and again without its bound moving (ACAS Xu 4_7
 * property 1: 166,240 boxes with the coefficients, 1,421 with the smear).
 */
final class SplitChoice {
    private SplitChoice() {}

    /** The influence rule: the smear (where {@link #applies} allows it) or CROWN's coefficients. */
    enum Rule { SMEAR, COEFFICIENTS }

    /**
     * The input to halve box [lo, hi]: the one with the largest influence, unless another input is left 64 times wider
     * relative to its {@code span} (its width in the whole region), or the influence is nowhere positive; then the
     * widest. {@code coefficients} are CROWN's (row-major, rows x inputs), {@code bounds} the box's neuron bounds.
     */
    static int dimension(boolean smear, Network net, NeuronBounds.Layers bounds, double[][] rows, double[] coefficients,
                         double[] lo, double[] hi, double[] span) {
        int d = lo.length;
        double[] influence = new double[d];
        if (smear) influence = of(net, bounds, rows, lo, hi);
        else
            for (int r = 0; r < rows.length; r++)
                for (int k = 0; k < d; k++) influence[k] += Math.abs(coefficients[r * d + k]) * (hi[k] - lo[k]);
        int dim = 0, widest = 0;
        for (int k = 1; k < d; k++) {
            if (influence[k] > influence[dim]) dim = k;
            if ((hi[k] - lo[k]) / span[k] > (hi[widest] - lo[widest]) / span[widest]) widest = k;
        }
        // Neither rule sees every looseness of the relaxation: an input they both neglect is split once it is left far wider.
        if (!(influence[dim] > 0) || (hi[dim] - lo[dim]) / span[dim] * 64 < (hi[widest] - lo[widest]) / span[widest]) dim = widest;
        return dim;
    }

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
