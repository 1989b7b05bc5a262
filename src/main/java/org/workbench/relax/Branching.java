package org.workbench.relax;

import java.util.ArrayList;
import java.util.List;
import org.workbench.net.Layer;
import org.workbench.net.Relu;

/**
 * How branch and bound chooses a subdomain's branching neuron among its unstable ones: a rule, and for {@link
 * Rule#FSB} how many candidates are tried.
 */
public record Branching(Rule rule, int candidates) {
    public enum Rule {
        /** The largest share of the weakest row's bound that a split removes (BaBSR's score), else the backup score. */
        BABSR,
        /**
         * Filtered smart branching (De Palma et al. 2021; α,β-CROWN's kfsb): BaBSR's best {@code candidates} neurons
         * are each tried by one bound of both children, and the one whose weaker child is tightest wins. The estimate
         * of a split is then a real bound, not a first-order guess, at the price of one pass over 2k children.
         */
        FSB,
        /** The widest pre-activation interval u - l: blind to the specification, the classic baseline. */
        WIDTH
    }

    public static final Branching BABSR = new Branching(Rule.BABSR, 1);

    public Branching {
        if (candidates < 1) throw new IllegalArgumentException("branching candidates must be >= 1, got " + candidates);
    }

    /** Candidates to try by bounding their children: more than one only for FSB. */
    int tried() {
        return rule == Rule.FSB ? candidates : 1;
    }

    /**
     * Subdomain k's best candidates, best first (empty when no free neuron is unstable). BaBSR's score of a neuron is its
     * coefficient on the weakest row (if positive) times its upper line's intercept -l·u/(u - l), the share a split
     * removes; neurons with no score follow by |coefficient|·min(u, -l). loV/hiV hold the subdomains' ReLU input bounds
     * ([B·n] per layer, n = rootLo's length), coef the rows' coefficients on them ([B·S·n], null for non-ReLU layers).
     */
    List<BetaCrown.Split> candidates(List<Layer> layers, List<double[]> rootLo, int k, int row, int s, List<double[]> loV, List<double[]> hiV, List<double[]> coef) {
        int want = tried();
        Top best = new Top(want), backup = new Top(want);
        for (int i = 0; i < layers.size(); i++) {
            if (!(layers.get(i) instanceof Relu) || coef.get(i) == null) continue;
            double[] l = loV.get(i), u = hiV.get(i), c = coef.get(i);
            int n = rootLo.get(i).length;
            for (int j = 0; j < n; j++) {
                double lj = l[k * n + j], uj = u[k * n + j];
                if (!(lj < 0 && uj > 0)) continue;
                if (rule == Rule.WIDTH) {
                    backup.offer(uj - lj, i, j);
                    continue;
                }
                double cj = c[(k * s + row) * n + j];
                double score = Math.max(cj, 0) * (-lj * uj / (uj - lj));
                if (score > 0) best.offer(score, i, j);
                backup.offer(Math.abs(cj) * Math.min(uj, -lj), i, j);
            }
        }
        List<BetaCrown.Split> out = best.splits();
        for (BetaCrown.Split sp : backup.splits()) if (out.size() < want && !out.contains(sp)) out.add(sp);
        return out;
    }

    /** The k highest-scoring neurons seen, best first. */
    private static final class Top {
        private final double[] score;
        private final int[] layer, neuron;
        private int size;

        Top(int k) {
            score = new double[k];
            layer = new int[k];
            neuron = new int[k];
        }

        void offer(double v, int i, int j) {
            if (size == score.length && v <= score[size - 1]) return;
            int at = size < score.length ? size++ : size - 1;
            while (at > 0 && score[at - 1] < v) {
                score[at] = score[at - 1];
                layer[at] = layer[at - 1];
                neuron[at] = neuron[at - 1];
                at--;
            }
            score[at] = v;
            layer[at] = i;
            neuron[at] = j;
        }

        List<BetaCrown.Split> splits() {
            List<BetaCrown.Split> out = new ArrayList<>();
            for (int q = 0; q < size; q++) out.add(new BetaCrown.Split(layer[q], neuron[q], false));
            return out;
        }
    }
}
