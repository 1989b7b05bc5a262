package org.workbench.relax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.workbench.data.Dataset;
import org.workbench.net.Conv2d;
import org.workbench.net.Layer;
import org.workbench.net.Linear;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.net.Normalize;
import org.workbench.net.Relu;
import org.workbench.testing.RandomNets;

/**
 * The triangle LP against the network itself: its maximum must be at least every margin reached in the box
 * (soundness), two independent solvers must agree on it, the MIP must sit between attack and LP, and the
 * tutorial's published LP values must come out. Forward pass and interval bounds are plain Java here, so the
 * test depends on no other bound code.
 */
class LpRelaxationTest {
    static final Path SHARED = Path.of("../shared");

    /** A random MLP or CNN (with Normalize half of the time) on [1,5,5] or [2,6,6]. */
    static Network randomNet(Random r) {
        while (true) {
            try {
                boolean two = r.nextBoolean();
                int ch = two ? 2 : 1, side = two ? 6 : 5, classes = 3 + r.nextInt(4);
                return r.nextBoolean() ? RandomNets.mlp(r, ch, side, classes) : RandomNets.cnn(r, ch, side, classes);
            } catch (IllegalArgumentException e) {
                // a kernel that does not fit the shrunken input: draw again
            }
        }
    }

    @Test
    void lpMaximumBoundsEveryReachableMargin() {
        Random r = new Random(11);
        for (int trial = 0; trial < 40; trial++) {
            Network net = randomNet(r);
            Case c = Case.random(net, r, 0.01 + 0.14 * r.nextDouble());
            double[] lp = LpRelaxation.maximize(net, c.lo, c.hi, c.preLo, c.preHi, c.rows, "glop");
            double[] ibp = c.ibpMargins();
            double[] best = c.bestByAttack(r, 200);
            for (int k = 0; k < lp.length; k++) {
                double tol = 1e-6 * (1 + Math.abs(lp[k]));
                String at = "trial " + trial + " row " + k;
                assertTrue(best[k] <= lp[k] + tol, at + ": margin " + best[k] + " reached above LP " + lp[k]);
                assertTrue(lp[k] <= ibp[k] + tol, at + ": LP " + lp[k] + " looser than interval bound " + ibp[k]);
            }
        }
    }

    @Test
    void glopOjAlgoAndHighsAgreeAndPdlpIsSound() {
        Random r = new Random(12);
        for (int trial = 0; trial < 24; trial++) {
            Network net = randomNet(r);
            Case c = Case.random(net, r, 0.02 + 0.1 * r.nextDouble());
            double[] glop = LpRelaxation.maximize(net, c.lo, c.hi, c.preLo, c.preHi, c.rows, "glop");
            double[] oj = LpRelaxation.maximize(net, c.lo, c.hi, c.preLo, c.preHi, c.rows, "ojalgo");
            double[] highs = LpRelaxation.maximize(net, c.lo, c.hi, c.preLo, c.preHi, c.rows, "highs");
            double[] pdlp = trial < 6 ? LpRelaxation.maximize(net, c.lo, c.hi, c.preLo, c.preHi, c.rows, "pdlp") : null;
            for (int k = 0; k < glop.length; k++) {
                double tol = 1e-6 * Math.max(1, Math.abs(glop[k]));
                String at = "trial " + trial + " row " + k;
                assertEquals(glop[k], oj[k], tol, at + " glop vs ojalgo");
                assertEquals(glop[k], highs[k], tol, at + " glop vs highs");
                if (pdlp != null) assertTrue(pdlp[k] >= glop[k] - tol, at + ": pdlp " + pdlp[k] + " below " + glop[k]);
            }
        }
    }

    @Test
    void mipLiesBetweenAttackAndLp() {
        Random r = new Random(13);
        for (int trial = 0; trial < 12; trial++) {
            Network net = RandomNets.mlp(r, 1, 3, 3);
            Case c = Case.random(net, r, 0.1 + 0.2 * r.nextDouble());
            double[] lp = LpRelaxation.maximize(net, c.lo, c.hi, c.preLo, c.preHi, c.rows, "glop");
            double[] mip = LpRelaxation.maximize(net, c.lo, c.hi, c.preLo, c.preHi, c.rows, "scip", true);
            double[] best = c.bestByAttack(r, 1000);
            for (int k = 0; k < lp.length; k++) {
                double tol = 1e-6 * (1 + Math.abs(lp[k]));
                String at = "trial " + trial + " row " + k;
                assertTrue(best[k] <= mip[k] + tol, at + ": margin " + best[k] + " above MIP " + mip[k]);
                assertTrue(mip[k] <= lp[k] + tol, at + ": MIP " + mip[k] + " above LP " + lp[k]);
            }
        }
    }

    /** On two inputs a fine grid brackets the true maximum: grid max <= max <= grid max + Lipschitz * h / 2. */
    @Test
    void mipMatchesGridMaximumOnTwoInputs() {
        Random r = new Random(14);
        for (int trial = 0; trial < 5; trial++) {
            List<Layer> layers = List.of(RandomNets.linear(r, 2, 6), new Relu(), RandomNets.linear(r, 6, 6), new Relu(),
                    RandomNets.linear(r, 6, 3));
            Network net = new Network(new int[] {2}, layers);
            Case c = Case.around(net, new double[] {r.nextDouble(), r.nextDouble()}, 0.3, 0);
            double[] mip = LpRelaxation.maximize(net, c.lo, c.hi, c.preLo, c.preHi, c.rows, "scip", true);
            int steps = 400;
            double h = Math.max(c.hi[0] - c.lo[0], c.hi[1] - c.lo[1]) / steps;
            for (int k = 0; k < c.rows.length; k++) {
                double gridMax = Double.NEGATIVE_INFINITY;
                for (int a = 0; a <= steps; a++)
                    for (int b = 0; b <= steps; b++) {
                        double[] x = {c.lo[0] + (c.hi[0] - c.lo[0]) * a / steps, c.lo[1] + (c.hi[1] - c.lo[1]) * b / steps};
                        gridMax = Math.max(gridMax, dot(c.rows[k], forward(net, x)));
                    }
                double slack = lipschitz(net, c.rows[k]) * h / 2 + 1e-6;
                assertTrue(mip[k] >= gridMax - 1e-6 && mip[k] <= gridMax + slack,
                        "trial " + trial + " row " + k + ": MIP " + mip[k] + " vs grid " + gridMax + " + " + slack);
            }
        }
    }

    @Test
    void tutorialLpValuesOfModelSmall() {
        Path model = SHARED.resolve("models/tutorial/model_small.onnx"), data = SHARED.resolve("data/mnist-test");
        assumeTrue(Files.exists(model) && Files.exists(data), "the shared tutorial files are absent");
        Network net = ModelFiles.load(model);
        Dataset test = Dataset.load(data, "test");
        double[] x = test.image(0);
        assertEquals(7, test.labels()[0]);

        Case c = Case.around(net, x, 0.1, 7);
        double[] row = new double[10];
        row[2] = 1;
        row[7] = -1;
        double[] v = LpRelaxation.maximize(net, c.lo, c.hi, c.preLo, c.preHi, new double[][] {row}, "glop");
        assertEquals(26.119774634, v[0], 1e-5, "max logit_2 - logit_7 at eps 0.1");

        Case d = Case.around(net, x, 0.02, 7);
        double[] w = LpRelaxation.maximize(net, d.lo, d.hi, d.preLo, d.preHi, d.rows, "glop");
        int argmax = -1;
        for (int k = 0; k < w.length; k++) {
            assertTrue(w[k] < 0, "target " + d.targets[k] + " not verified at eps 0.02: " + w[k]);
            if (argmax < 0 || w[k] > w[argmax]) argmax = k;
        }
        assertEquals(3, d.targets[argmax]);
        assertEquals(-1.857739, w[argmax], 1e-5, "max logit_3 - logit_7 at eps 0.02");
    }

    /** Timings for the report, on demand only: -Dlp.timing=true. */
    @Test
    void timeLpSolves() {
        assumeTrue(Boolean.getBoolean("lp.timing"), "timings run only with -Dlp.timing=true");
        Dataset test = Dataset.load(SHARED.resolve("data/mnist-test"), "test");
        Network small = ModelFiles.load(SHARED.resolve("models/tutorial/model_small.onnx"));
        Case t = Case.around(small, test.image(0), 0.1, 7);
        long start = System.nanoTime();
        double[] mip = LpRelaxation.maximize(small, t.lo, t.hi, t.preLo, t.preHi, new double[][] {t.rows[2]}, "scip", true);
        System.out.printf("LPTIME MIP model_small eps 0.1 target %d: %.9f in %.0f ms%n", t.targets[2], mip[0], (System.nanoTime() - start) / 1e6);
        for (String m : List.of("models/tutorial/model_small.onnx", "benchmarks/vnncomp2021/benchmarks/mnistfc/mnist-net_256x2.onnx")) {
            Network net = ModelFiles.load(SHARED.resolve(m));
            for (String backend : List.of("glop", "highs", "ojalgo", "pdlp", "glop", "highs", "ojalgo", "pdlp")) {
                // One row (build + first solve) against all nine: the difference is the cost of a re-solve.
                long one = 0, all = 0;
                int samples = 3;
                for (int s = 0; s < samples; s++) {
                    Case c = Case.around(net, test.image(s), 0.02, test.labels()[s]);
                    long t0 = System.nanoTime();
                    LpRelaxation.maximize(net, c.lo, c.hi, c.preLo, c.preHi, new double[][] {c.rows[0]}, backend);
                    long t1 = System.nanoTime();
                    LpRelaxation.maximize(net, c.lo, c.hi, c.preLo, c.preHi, c.rows, backend);
                    one += t1 - t0;
                    all += System.nanoTime() - t1;
                }
                int rows = net.numClasses() - 1;
                System.out.printf("LPTIME %s %-6s build+first solve %.1f ms, each further row %.1f ms, %d rows %.1f ms%n",
                        m.substring(m.lastIndexOf('/') + 1), backend, one / 1e6 / samples,
                        (all - one) / 1e6 / samples / (rows - 1), rows, all / 1e6 / samples);
            }
        }
    }

    /** One verification instance: the input box, interval bounds before every layer, margin rows j - y. */
    static final class Case {
        final Network net;
        final double[] lo, hi;
        final List<double[]> preLo = new ArrayList<>(), preHi = new ArrayList<>();
        double[] outLo, outHi;
        double[][] rows;
        int[] targets;

        Case(Network net, double[] lo, double[] hi, int label) {
            this.net = net;
            this.lo = lo;
            this.hi = hi;
            double[] l = lo, u = hi;
            List<int[]> shapes = net.shapes();
            for (int i = 0; i < net.layers().size(); i++) {
                preLo.add(l);
                preHi.add(u);
                double[][] b = interval(net.layers().get(i), shapes.get(i), l, u);
                l = b[0];
                u = b[1];
            }
            outLo = l;
            outHi = u;
            int n = l.length;
            rows = new double[n - 1][n];
            targets = new int[n - 1];
            for (int j = 0, k = 0; j < n; j++) {
                if (j == label) continue;
                rows[k][j] = 1;
                rows[k][label] = -1;
                targets[k++] = j;
            }
        }

        static Case around(Network net, double[] x, double eps, int label) {
            double[] lo = new double[x.length], hi = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                lo[i] = Math.max(x[i] - eps, 0);
                hi[i] = Math.min(x[i] + eps, 1);
            }
            return new Case(net, lo, hi, label);
        }

        /** A random input; the label is the network's own prediction there, so margins start negative. */
        static Case random(Network net, Random r, double eps) {
            double[] x = RandomNets.input(r, net.inputSize());
            return around(net, x, eps, argmax(forward(net, x)));
        }

        double[] ibpMargins() {
            double[] m = new double[rows.length];
            for (int k = 0; k < rows.length; k++)
                for (int j = 0; j < rows[k].length; j++) m[k] += rows[k][j] * (rows[k][j] > 0 ? outHi[j] : outLo[j]);
            return m;
        }

        /**
         * Per row the best margin found: random points of the box (a quarter of them corners), then a greedy
         * corner search that flips one coordinate at a time while the margin grows.
         */
        double[] bestByAttack(Random r, int points) {
            int n = lo.length;
            double[] best = new double[rows.length];
            java.util.Arrays.fill(best, Double.NEGATIVE_INFINITY);
            for (int p = 0; p < points; p++) {
                double[] x = new double[n];
                boolean corner = p % 4 == 0;
                for (int i = 0; i < n; i++)
                    x[i] = corner ? (r.nextBoolean() ? lo[i] : hi[i]) : lo[i] + (hi[i] - lo[i]) * r.nextDouble();
                double[] z = forward(net, x);
                for (int k = 0; k < rows.length; k++) best[k] = Math.max(best[k], dot(rows[k], z));
            }
            for (int k = 0; k < rows.length; k++) {
                double[] x = new double[n];
                for (int i = 0; i < n; i++) x[i] = r.nextBoolean() ? lo[i] : hi[i];
                double m = dot(rows[k], forward(net, x));
                for (int pass = 0; pass < 2; pass++)
                    for (int i = 0; i < n; i++) {
                        double keep = x[i];
                        x[i] = keep == lo[i] ? hi[i] : lo[i];
                        double t = dot(rows[k], forward(net, x));
                        if (t > m) m = t;
                        else x[i] = keep;
                    }
                best[k] = Math.max(best[k], m);
            }
            return best;
        }
    }

    // ---- plain-Java network evaluation ----

    static double[] forward(Network net, double[] x) {
        List<int[]> shapes = net.shapes();
        for (int i = 0; i < net.layers().size(); i++) {
            Layer layer = net.layers().get(i);
            x = layer instanceof Relu ? relu(x) : affine(layer, shapes.get(i), x, false, true);
        }
        return x;
    }

    /** Interval rule per layer: centre and radius for the affine ones, clamping for ReLU. */
    static double[][] interval(Layer layer, int[] shape, double[] lo, double[] hi) {
        if (layer instanceof Relu) return new double[][] {relu(lo), relu(hi)};
        int n = lo.length;
        double[] c = new double[n], rad = new double[n];
        for (int i = 0; i < n; i++) {
            c[i] = (lo[i] + hi[i]) / 2;
            rad[i] = (hi[i] - lo[i]) / 2;
        }
        double[] zc = affine(layer, shape, c, false, true), zr = affine(layer, shape, rad, true, false);
        double[] l = new double[zc.length], u = new double[zc.length];
        for (int j = 0; j < zc.length; j++) {
            l[j] = zc[j] - zr[j];
            u[j] = zc[j] + zr[j];
        }
        return new double[][] {l, u};
    }

    /** Linear, Conv2d, Normalize or Flatten on a flat input of the given shape; abs: |weights| (1/std), no offset. */
    static double[] affine(Layer layer, int[] shape, double[] x, boolean abs, boolean offset) {
        if (layer instanceof Linear f) {
            double[] y = new double[f.out()];
            for (int j = 0; j < f.out(); j++) {
                double s = offset ? f.bias()[j] : 0;
                for (int k = 0; k < f.in(); k++) s += (abs ? Math.abs(f.w(j, k)) : f.w(j, k)) * x[k];
                y[j] = s;
            }
            return y;
        }
        if (layer instanceof Conv2d cv) {
            int h = shape[1], w = shape[2], oh = cv.outH(h), ow = cv.outW(w);
            double[] y = new double[cv.outChannels() * oh * ow];
            for (int o = 0; o < cv.outChannels(); o++)
                for (int r = 0; r < oh; r++)
                    for (int c = 0; c < ow; c++) {
                        double s = offset ? cv.bias()[o] : 0;
                        for (int ci = 0; ci < cv.inChannels(); ci++)
                            for (int a = 0; a < cv.kernelH(); a++)
                                for (int b = 0; b < cv.kernelW(); b++) {
                                    int ir = r * cv.stride() - cv.padding() + a, ic = c * cv.stride() - cv.padding() + b;
                                    if (ir < 0 || ir >= h || ic < 0 || ic >= w) continue;
                                    double wt = cv.weight()[((o * cv.inChannels() + ci) * cv.kernelH() + a) * cv.kernelW() + b];
                                    s += (abs ? Math.abs(wt) : wt) * x[(ci * h + ir) * w + ic];
                                }
                        y[(o * oh + r) * ow + c] = s;
                    }
            return y;
        }
        if (layer instanceof Normalize z) {
            int per = x.length / z.mean().length;
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) y[i] = ((offset ? x[i] - z.mean()[i / per] : x[i])) / z.std()[i / per];
            return y;
        }
        return x.clone(); // Flatten
    }

    static double[] relu(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = Math.max(x[i], 0);
        return y;
    }

    /** A Lipschitz constant of row·logits in l-inf for Linear/ReLU networks: |row| pushed back through |W|. */
    static double lipschitz(Network net, double[] row) {
        double[] v = row.clone();
        for (int i = v.length; i-- > 0; ) v[i] = Math.abs(v[i]);
        List<Layer> layers = net.layers();
        for (int i = layers.size() - 1; i >= 0; i--) {
            if (layers.get(i) instanceof Linear f) {
                double[] u = new double[f.in()];
                for (int j = 0; j < f.out(); j++)
                    for (int k = 0; k < f.in(); k++) u[k] += v[j] * Math.abs(f.w(j, k));
                v = u;
            }
        }
        double s = 0;
        for (double a : v) s += a;
        return s;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    static int argmax(double[] z) {
        int best = 0;
        for (int i = 1; i < z.length; i++) if (z[i] > z[best]) best = i;
        return best;
    }
}
