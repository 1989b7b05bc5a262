package org.workbench.attack;

import java.util.ArrayList;
import java.util.List;
import org.workbench.net.TorchNet;
import org.workbench.problem.Threat;
import org.workbench.solve.Batch;
import org.workbench.solve.Bound;

/**
 * Turns an attack's float32 candidate points into honest lower bounds: each candidate is projected into the
 * threat set in float64, re-evaluated by a float64 forward pass, and only then counts. Per class j the
 * reported margin is the best float64 value z_j - z_y over the sample's candidates.
 */
final class Witnesses {
    private Witnesses() {}

    /**
     * @param candidates per candidate set, one row per sample (flattened input), e.g. the best and the last
     *     iterate of each restart
     */
    static List<Bound> check(TorchNet net64, Threat threat, Batch batch, double eps, List<double[][]> candidates,
                             double seconds) {
        int b = batch.size(), k = candidates.size();
        double[][] all = new double[b * k][];
        for (int c = 0; c < k; c++)
            for (int i = 0; i < b; i++) all[c * b + i] = threat.project(batch.inputs()[i], candidates.get(c)[i], eps);
        double[][] logits = net64.logits(all);
        List<Bound> out = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            int y = batch.labels()[i];
            int classes = logits[i].length;
            double[] margins = new double[classes];
            java.util.Arrays.fill(margins, Double.NEGATIVE_INFINITY);
            margins[y] = Double.NaN;
            double bestWorst = Double.NEGATIVE_INFINITY;
            double[] witness = null;
            for (int c = 0; c < k; c++) {
                double[] z = logits[c * b + i];
                double[] xp = all[c * b + i];
                if (!threat.contains(batch.inputs()[i], xp, eps)) continue;
                double worst = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < classes; j++) {
                    if (j == y) continue;
                    double m = z[j] - z[y];
                    margins[j] = Math.max(margins[j], m);
                    worst = Math.max(worst, m);
                }
                if (worst > bestWorst) {
                    bestWorst = worst;
                    witness = xp;
                }
            }
            String status = bestWorst > 0 ? Bound.ATTACKED : Bound.OPEN;
            out.add(new Bound(margins, status, witness, seconds / b));
        }
        return out;
    }
}
