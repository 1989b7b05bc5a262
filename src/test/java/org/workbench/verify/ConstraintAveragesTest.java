package org.workbench.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.workbench.spec.LinearConstraint;

/**
 * The averaged constraints the input split adds to a conjunction must cut no point where the conjunction holds (else an
 * unsat could be wrong), and must be true averages (a point violating every original violates each average).
 */
class ConstraintAveragesTest {

    @Test
    void averagesHoldWhereTheConjunctionHoldsAndFailWhereNoneDoes() {
        Random r = new Random(11);
        int held = 0;
        for (int trial = 0; trial < 200; trial++) {
            int m = 1 + r.nextInt(7), outputs = 5;
            List<LinearConstraint> all = new ArrayList<>();
            int[] g = new int[m];
            for (int q = 0; q < m; q++) {
                double[] c = new double[outputs];
                for (int k = 0; k < outputs; k++) c[k] = r.nextGaussian() * (q + 1);
                g[q] = all.size();
                all.add(new LinearConstraint(c, r.nextGaussian()));
            }
            int[] out = InputSplit.withCombinations(g, all);
            int pairs = m > 2 && m <= 6 ? m * (m - 1) / 2 : 0;
            assertEquals(m < 2 ? m : m + 1 + pairs, out.length, "constraints after averaging, m = " + m);
            assertEquals(out.length, all.size());
            for (int s = 0; s < 2000; s++) {
                double[] y = new double[outputs];
                for (int k = 0; k < outputs; k++) y[k] = 3 * r.nextGaussian();
                boolean every = true, none = true;
                for (int q = 0; q < m; q++) {
                    boolean ok = all.get(g[q]).excess(y) <= 0;
                    every &= ok;
                    none &= !ok;
                }
                for (int q = m; q < out.length; q++) {
                    double excess = all.get(out[q]).excess(y);
                    if (every) assertTrue(excess <= 1e-12, "trial " + trial + ": an average cuts a point of the conjunction");
                    if (none) assertTrue(excess > -1e-12, "trial " + trial + ": an average holds where no constraint does");
                }
                if (every) held++;
            }
        }
        assertTrue(held > 1000, "points inside conjunctions: " + held);
    }
}
