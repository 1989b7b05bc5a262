package org.workbench.exact;

import java.util.ArrayList;
import java.util.List;
import org.workbench.net.Layer;
import org.workbench.net.Linear;
import org.workbench.net.Network;
import org.workbench.net.Relu;

/**
 * A network prefix without the neurons its bounds prove dead (a ReLU whose input is never positive outputs 0):
 * their rows and the next layer's columns for them are dropped, which changes no value anywhere. A MIP solved many
 * times over the same prefix then carries only the live part; on mnistfc a ReLU layer's dead neurons would each
 * cost a dense row over all 784 inputs.
 *
 * @param net the pruned prefix (same input)
 * @param lo every pruned layer's input bounds, {@code hi} likewise
 * @param outputs for each output of the pruned prefix, its index among the original prefix's outputs
 */
record PrunedPrefix(Network net, List<double[]> lo, List<double[]> hi, int[] outputs) {

    /**
     * Prunes the first {@code length} layers of {@code net}, given bounds of every layer's input; null unless they
     * are a few shape-only layers (normalization, flattening) and then linear layers each followed by a ReLU.
     */
    static PrunedPrefix of(Network net, int length, List<double[]> lo, List<double[]> hi) {
        List<Layer> layers = net.layers().subList(0, length);
        List<Layer> out = new ArrayList<>();
        List<double[]> pl = new ArrayList<>(), ph = new ArrayList<>();
        int[] keep = null; // kept indices of the current flat vector; null before the first linear layer
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            if (layer instanceof Linear lin) {
                int[] cols = keep != null ? keep : range(lin.in());
                boolean reluNext = i + 1 < layers.size() && layers.get(i + 1) instanceof Relu;
                List<Integer> alive = new ArrayList<>();
                for (int r = 0; r < lin.out(); r++) if (!reluNext || hi.get(i + 1)[r] > 0) alive.add(r);
                int[] rows = alive.stream().mapToInt(Integer::intValue).toArray();
                double[] w = new double[rows.length * cols.length], b = new double[rows.length];
                for (int r = 0; r < rows.length; r++) {
                    b[r] = lin.bias()[rows[r]];
                    for (int c = 0; c < cols.length; c++) w[r * cols.length + c] = lin.w(rows[r], cols[c]);
                }
                out.add(new Linear(cols.length, rows.length, w, b));
                pl.add(select(lo.get(i), cols));
                ph.add(select(hi.get(i), cols));
                keep = rows;
            } else if (layer instanceof Relu && keep != null) {
                out.add(layer);
                pl.add(select(lo.get(i), keep));
                ph.add(select(hi.get(i), keep));
            } else if (keep == null && !(layer instanceof Relu)) {
                out.add(layer);
                pl.add(lo.get(i));
                ph.add(hi.get(i));
            } else {
                return null;
            }
        }
        if (keep == null) return null;
        return new PrunedPrefix(new Network(net.inputShape(), out), pl, ph, keep);
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }

    private static double[] select(double[] v, int[] idx) {
        double[] s = new double[idx.length];
        for (int q = 0; q < idx.length; q++) s[q] = v[idx[q]];
        return s;
    }
}
