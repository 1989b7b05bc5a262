package org.workbench.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.workbench.spec.LinearConstraint;

/**
 * Look-ahead's choice of split input against a brute-force reading of its rule, on bounds whose every value is known:
 * a box's bound on the unsafe output is sum_k v_k width_k^2 (so halving input k gains v_k times three quarters of its
 * square width); the usual choice must stand unless another input's worse half is better by the margin.
 */
class LookaheadTest {

    @Test
    void picksTheInputWhoseWorseHalfIsBestAndOtherwiseKeepsTheUsualOne() {
        Random r = new Random(11);
        List<LinearConstraint> all = List.of(new LinearConstraint(new double[] {1}, 0)); // unsafe: y0 <= 0
        List<int[]> groups = List.of(new int[] {0});
        int switched = 0, kept = 0;
        for (int trial = 0; trial < 500; trial++) {
            int d = 2 + r.nextInt(5), n = 1 + r.nextInt(4);
            double[] v = new double[d];
            for (int k = 0; k < d; k++) v[k] = r.nextDouble() * (r.nextInt(3) == 0 ? 10 : 1);
            double[][] lo = new double[n][d], hi = new double[n][d];
            int[] dims = new int[n], expected = new int[n];
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < d; k++) {
                    lo[j][k] = r.nextGaussian();
                    hi[j][k] = lo[j][k] + 0.1 + r.nextDouble();
                }
                dims[j] = r.nextInt(d);
                double[] score = new double[d];
                int best = 0;
                for (int k = 0; k < d; k++) {
                    double g = 0; // both halves along k have the same bound here
                    for (int q = 0; q < d; q++) {
                        double w = (hi[j][q] - lo[j][q]) / (q == k ? 2 : 1);
                        g += v[q] * w * w;
                    }
                    score[k] = -g;
                    if (score[k] > score[best]) best = k;
                }
                expected[j] = score[best] > score[dims[j]] + 0.1 * Math.abs(score[dims[j]]) ? best : dims[j];
            }
            int[] usual = dims.clone();
            // -y0 <= g over a box, so y0 <= 0 stays open there with room -g.
            Lookahead.choose(lo, hi, dims, (l, h) -> {
                double[][] up = new double[l.length][1];
                for (int b = 0; b < l.length; b++)
                    for (int q = 0; q < d; q++) up[b][0] += v[q] * (h[b][q] - l[b][q]) * (h[b][q] - l[b][q]);
                return up;
            }, groups, all);
            for (int j = 0; j < n; j++) {
                assertEquals(expected[j], dims[j], "trial " + trial + " box " + j);
                if (dims[j] != usual[j]) switched++;
                else kept++;
            }
        }
        // Both outcomes must occur, or the property above says little.
        org.junit.jupiter.api.Assertions.assertTrue(switched > 50 && kept > 50, switched + " switched, " + kept + " kept");
    }

    @Test
    void aConjunctionIsClosedWhenAnyOfItsConstraintsIsImpossible() {
        List<LinearConstraint> all = List.of(new LinearConstraint(new double[] {1, 0}, 0), new LinearConstraint(new double[] {0, 1}, 0));
        List<int[]> one = List.of(new int[] {0, 1}), two = List.of(new int[] {0}, new int[] {1});
        // up[r] bounds -c_r·y from above, so c_r·y >= -up[r]: r is impossible when -up[r] > 0.
        assertEquals(Double.POSITIVE_INFINITY, Lookahead.room(new double[] {-1, 5}, one, all));
        assertEquals(-5, Lookahead.room(new double[] {-1, 5}, two, all));
        assertEquals(-2, Lookahead.room(new double[] {2, 5}, one, all));
    }
}
