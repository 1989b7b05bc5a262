package org.workbench.verify;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.workbench.config.YNode;
import org.workbench.net.Network;
import org.workbench.net.TorchNet;
import org.workbench.relax.NeuronBounds;
import org.workbench.spec.LinearConstraint;
import org.workbench.spec.Property;
import org.workbench.testing.RandomNets;

/**
 * `complete: mip` with each MIP backend on random pooled CNNs (36 inputs: past the input split): SCIP and HiGHS never
 * decide an instance two ways, an unsat has no violating point among 4,000 samples, a sat's counterexample
 * re-evaluates into the unsafe set, and both verdicts occur, some unsat ones where CROWN alone left the property open.
 */
class MipCompleteTest {

    private static VerifySettings settings(String backend) {
        return VerifySettings.read(YNode.parse(null, "", "complete: mip\nmip_backend: " + backend + "\nsearch_starts: 4\nsurrogate_starts: 0\n"));
    }

    @Test
    void backendsAgreeAndVerdictsHold() {
        Random r = new Random(17);
        int unsat = 0, sat = 0, byMip = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            for (int trial = 0; trial < 12; trial++) {
                Network net = RandomNets.pooled(r, 1, 6, 3);
                double[] c = RandomNets.input(r, 36), lo = new double[36], hi = new double[36];
                double eps = 0.05 + 0.1 * r.nextDouble();
                for (int k = 0; k < 36; k++) {
                    lo[k] = Math.max(0, c[k] - eps);
                    hi[k] = Math.min(1, c[k] + eps);
                }
                double[][] x = new double[4000][36];
                for (double[] p : x) for (int k = 0; k < 36; k++) p[k] = lo[k] + r.nextDouble() * (hi[k] - lo[k]);
                double[][] y;
                try (TorchNet t = new TorchNet(net, m, DataType.FLOAT64)) {
                    y = t.logits(x);
                }
                // Unsafe: y1 - y0 >= d, d just under the best sampled value or between it and CROWN's bound (where the
                // true maximum lies): CROWN alone leaves the latter open, the MIP decides them.
                double best = Double.NEGATIVE_INFINITY;
                for (double[] v : y) best = Math.max(best, v[1] - v[0]);
                double up;
                try (TorchNet t = new TorchNet(net, m, DataType.FLOAT64)) {
                    up = NeuronBounds.upper(t, new double[][] {lo}, new double[][] {hi}, new double[][] {{-1, 1, 0}}, NeuronBounds.Method.CROWN)[0][0];
                }
                double d = trial % 2 == 0 ? best - 0.02 * (1 + Math.abs(best)) : best + (0.5 + 0.45 * r.nextDouble()) * (up - best);
                Property p = new Property(null, 36, 3, List.of(new Property.Case(lo, hi, List.of(new LinearConstraint(new double[] {1, -1, 0}, -d)))));
                boolean sampled = false;
                for (int i = 0; i < x.length && !sampled; i++) sampled = p.violatedBy(x[i], y[i], 0);
                String scip = check(m, net, p, "scip", sampled, trial), highs = check(m, net, p, "highs", sampled, trial);
                assertFalse(scip.equals("unsat") && highs.equals("sat") || scip.equals("sat") && highs.equals("unsat"),
                        "trial " + trial + ": scip " + scip + ", highs " + highs);
                if (highs.equals("unsat")) unsat++;
                // Open after CROWN (which is all `complete: mip` runs before its MIP): the MIP decided it.
                if (highs.equals("unsat") && up >= d) byMip++;
                if (highs.equals("sat")) sat++;
            }
        }
        assertTrue(unsat >= 3 && sat >= 3, "both verdicts should occur: unsat " + unsat + ", sat " + sat);
        assertTrue(byMip >= 2, "too few unsat verdicts needed the MIP: " + byMip);
    }

    private static String check(NDManager m, Network net, Property p, String backend, boolean sampled, int trial) {
        Verifier.Verdict v = new Verifier(net, p, settings(backend)).run(30);
        String at = "trial " + trial + " (" + backend + ")";
        if (v.result().equals("unsat")) assertFalse(sampled, at + ": unsat but a sampled point violates the property");
        if (v.result().equals("sat"))
            try (TorchNet t = new TorchNet(net, m, DataType.FLOAT64)) {
                assertTrue(p.violatedBy(v.x(), t.logits(new double[][] {v.x()})[0], 0), at + ": counterexample does not re-evaluate into the unsafe set");
            }
        return v.result();
    }
}
