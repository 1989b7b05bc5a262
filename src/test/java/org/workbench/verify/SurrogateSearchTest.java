package org.workbench.verify;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.workbench.net.Network;
import org.workbench.net.TorchNet;
import org.workbench.spec.LinearConstraint;
import org.workbench.testing.RandomNets;

/**
 * The surrogate-gradient search on random MLPs and CNNs and boxes, with unsafe sets placed so that a random sample
 * of the box already lies in some of them: every point it returns is in the box and, in float64, in the unsafe set
 * of its conjunction; it finds most of the counterexamples the samples prove to exist; and it returns nothing for
 * conjunctions no point can meet.
 */
class SurrogateSearchTest {

    @Test
    void returnsOnlyCheckedCounterexamplesAndFindsMost() {
        Random r = new Random(11);
        int exists = 0, found = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            for (int trial = 0; trial < 30; trial++) {
                Network net = RandomNets.any(r);
                try (TorchNet net32 = new TorchNet(net, m, DataType.FLOAT32);
                     TorchNet net64 = new TorchNet(net, m, DataType.FLOAT64)) {
                    int d = net.inputSize(), classes = net.numClasses();
                    double[] centre = RandomNets.input(r, d), lo = new double[d], hi = new double[d];
                    double eps = 0.02 + 0.1 * r.nextDouble();
                    for (int i = 0; i < d; i++) {
                        lo[i] = Math.max(0, centre[i] - eps);
                        hi[i] = Math.min(1, centre[i] + eps);
                    }
                    int label = argmax(net64.logits(new double[][] {centre})[0]);
                    double[][] samples = new double[256][d];
                    for (double[] x : samples) for (int i = 0; i < d; i++) x[i] = lo[i] + r.nextDouble() * (hi[i] - lo[i]);
                    double[][] ys = net64.logits(samples);
                    // One conjunction per other class: y_j - y_label >= t, with t just under the samples' best margin
                    // (some sample meets it) or far above any (none can).
                    boolean reachable = r.nextInt(3) > 0;
                    List<List<LinearConstraint>> conjs = new ArrayList<>();
                    for (int j = 0; j < classes; j++) {
                        if (j == label) continue;
                        double best = Double.NEGATIVE_INFINITY;
                        for (double[] y : ys) best = Math.max(best, y[j] - y[label]);
                        double t = reachable ? best - 1e-3 * (1 + Math.abs(best)) : best + 1e3;
                        double[] c = new double[classes];
                        c[label] = 1;
                        c[j] = -1;
                        conjs.add(List.of(new LinearConstraint(c, -t)));
                    }
                    SurrogateSearch search = new SurrogateSearch(net32, net64, trial);
                    double[] x = search.search(lo, hi, conjs, 8, 50);
                    // The reported best violation must agree with the outcome: positive where no point meets the set.
                    if (!reachable) assertTrue(search.bestViolation() > 0, "trial " + trial + ": best violation " + search.bestViolation() + " on an unreachable set");
                    if (x != null) assertTrue(search.bestViolation() <= Falsifier.SCREEN_MARGIN, "trial " + trial + ": a point found above the screening margin");
                    if (reachable) exists++;
                    if (x == null) continue;
                    assertTrue(reachable, "trial " + trial + ": a point returned for conjunctions no point meets");
                    found++;
                    for (int i = 0; i < d; i++) assertTrue(x[i] >= lo[i] && x[i] <= hi[i], "trial " + trial + ": input " + i + " outside the box");
                    double[] y = net64.logits(new double[][] {x})[0];
                    boolean some = false;
                    for (List<LinearConstraint> conj : conjs) some |= Falsifier.satisfies(conj, y);
                    assertTrue(some, "trial " + trial + ": the returned point meets no conjunction in float64");
                }
            }
        }
        assertTrue(exists >= 10 && found >= 0.7 * exists, "found " + found + " of " + exists + " counterexamples that samples prove exist");
    }

    private static int argmax(double[] v) {
        int k = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[k]) k = i;
        return k;
    }
}
