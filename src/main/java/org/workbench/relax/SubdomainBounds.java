package org.workbench.relax;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.workbench.net.Layer;
import org.workbench.net.Relu;

/**
 * Intermediate bounds per subdomain, as beta-CROWN recomputes them: a split fixes a ReLU to one of its lines, and
 * every later layer's neurons can then be bounded more tightly inside the subdomain than over the whole box. For the
 * ReLU layers after a subdomain's newest split, CROWN (its own slopes, no multipliers: any choice is sound) bounds
 * the neurons unstable at the root over the subdomain's earlier bounds, and the result is intersected with what its
 * parent had. A subdomain keeps them for its children as floats rounded outward.
 */
final class SubdomainBounds {
    /** Each ReLU layer's bounds for a batch, flat, subdomain after subdomain (null for other layers). */
    record Start(List<double[]> lo, List<double[]> hi) {}

    /** One back-substitution from the input of layer {@code from}: upper bounds [B, rows]. */
    interface Pass {
        NDArray upper(NDArray spec, SubdomainTensors t, Region region, int from);
    }

    /** On with {@code -Dworkbench.bab.subdomainBounds=true}; off, every subdomain keeps the root's bounds (measured no faster). */
    static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("workbench.bab.subdomainBounds", "false"));

    /** How many ReLU layers after a subdomain's newest split are bounded again ({@code -Dworkbench.bab.subdomainLayers}). */
    static final int LAYERS = Integer.getInteger("workbench.bab.subdomainLayers", 1000);

    /** Neurons per subdomain bounded again behind a linear layer ({@code -Dworkbench.bab.subdomainRows}). */
    static final int ROWS = Integer.getInteger("workbench.bab.subdomainRows", 16);

    /** Most doubles one specification tensor of the recomputation may hold (a batch is cut into parts below it). */
    private static final int MAX_SPEC = 1 << 21;

    private final SubdomainTensors.Root root;
    private final List<Layer> layers;
    private final int[][] unstable;
    private final int[] ordinal;
    private final int count;

    /** For the root's final bounds (after any alpha-CROWN and refinement). */
    SubdomainBounds(SubdomainTensors.Root root) {
        this.root = root;
        this.layers = root.layers();
        unstable = new int[layers.size()][];
        ordinal = new int[layers.size()];
        int c = 0, o = 0;
        for (int i = 0; i < layers.size(); i++) {
            ordinal[i] = o;
            if (!(layers.get(i) instanceof Relu)) continue;
            o++;
            double[] l = root.lo().get(i), u = root.hi().get(i);
            List<Integer> js = new ArrayList<>();
            for (int j = 0; j < l.length; j++) if (l[j] < 0 && u[j] > 0) js.add(j);
            unstable[i] = js.stream().mapToInt(Integer::intValue).toArray();
            c += unstable[i].length;
        }
        count = c;
    }

    /** The batch's bounds: the root's, its parents' where kept, and CROWN's after each newest split. */
    Start start(NDManager m, List<BetaCrown.Domain> domains, Pass pass, double[] lo, double[] hi, long[] batchShape) {
        int b = domains.size();
        List<double[]> los = new ArrayList<>(), his = new ArrayList<>();
        int at = 0;
        for (int i = 0; i < layers.size(); i++) {
            if (unstable[i] == null) {
                los.add(null);
                his.add(null);
                continue;
            }
            double[] rl = root.lo().get(i), rh = root.hi().get(i);
            int n = rl.length;
            double[] l = new double[b * n], u = new double[b * n];
            for (int d = 0; d < b; d++) {
                System.arraycopy(rl, 0, l, d * n, n);
                System.arraycopy(rh, 0, u, d * n, n);
                BetaCrown.Bounds kept = domains.get(d).bounds();
                if (kept == null) continue;
                for (int q = 0; q < unstable[i].length; q++) {
                    int j = unstable[i][q];
                    l[d * n + j] = Math.max(rl[j], kept.lo()[at + q]);
                    u[d * n + j] = Math.min(rh[j], kept.hi()[at + q]);
                }
            }
            los.add(l);
            his.add(u);
            at += unstable[i].length;
        }
        Start start = new Start(los, his);
        if (!ENABLED) return start;
        boolean reluBefore = false;
        for (int k = 0; k < layers.size(); k++) {
            if (unstable[k] == null) continue;
            if (!reluBefore || unstable[k].length == 0) {
                reluBefore = true;
                continue;
            }
            List<Integer> which = new ArrayList<>();
            for (int d = 0; d < b; d++) {
                int c = changedBefore(domains.get(d));
                if (c < k && ordinal[k] - ordinal[c] <= LAYERS) which.add(d);
            }
            if (which.isEmpty()) continue;
            int[][] chosen = chosen(domains, which, k, start);
            int rows = 2 * chosen[0].length, n = root.lo().get(k).length;
            if (rows == 0) continue;
            int part = Math.max(1, MAX_SPEC / (rows * n));
            for (int from = 0; from < which.size(); from += part) {
                int to = Math.min(which.size(), from + part);
                recompute(m, domains, which.subList(from, to), java.util.Arrays.copyOfRange(chosen, from, to), k, start, pass, lo, hi, batchShape);
            }
        }
        return start;
    }

    /** Layers after this one may be tighter than the parent's: the newest split's (the earliest's without kept bounds). */
    private static int changedBefore(BetaCrown.Domain d) {
        List<BetaCrown.Split> s = d.splits();
        if (s.isEmpty()) return Integer.MAX_VALUE;
        if (d.bounds() != null) return s.get(s.size() - 1).layer();
        int min = Integer.MAX_VALUE;
        for (BetaCrown.Split x : s) min = Math.min(min, x.layer());
        return min;
    }

    /**
     * The neurons of layer k to bound again in each subdomain of {@code which}: with a linear layer between, those
     * that the newest split moves most, |w_js| times the gap -l·u/(u - l) its relaxation closed, against their own
     * distance min(u_j, -l_j) from being stable; {@link #ROWS} of them (repeated when fewer are unstable). Otherwise
     * all the root's unstable ones.
     */
    private int[][] chosen(List<BetaCrown.Domain> domains, List<Integer> which, int k, Start start) {
        int[][] out = new int[which.size()][];
        int n = root.lo().get(k).length;
        if (!(layers.get(k - 1) instanceof org.workbench.net.Linear w) || ROWS >= unstable[k].length) {
            java.util.Arrays.fill(out, unstable[k]);
            return out;
        }
        double[] l = start.lo().get(k), h = start.hi().get(k);
        for (int q = 0; q < out.length; q++) {
            int d = which.get(q);
            List<BetaCrown.Split> splits = domains.get(d).splits();
            BetaCrown.Split newest = splits.get(splits.size() - 1);
            int at = newest.neuron(), sn = root.lo().get(newest.layer()).length;
            double ls = start.lo().get(newest.layer())[d * sn + at], us = start.hi().get(newest.layer())[d * sn + at];
            double gap = ls < 0 && us > 0 ? -ls * us / (us - ls) : 0;
            Integer[] js = java.util.Arrays.stream(unstable[k]).boxed().toArray(Integer[]::new);
            double[] score = new double[n];
            for (int j : unstable[k]) {
                double lj = l[d * n + j], uj = h[d * n + j];
                score[j] = lj < 0 && uj > 0 ? Math.abs(w.w(j, at)) * gap / Math.min(uj, -lj) : -1;
            }
            java.util.Arrays.sort(js, (a, c) -> Double.compare(score[c], score[a]));
            out[q] = new int[ROWS];
            for (int r = 0; r < ROWS; r++) out[q][r] = js[r];
        }
        return out;
    }

    private void recompute(NDManager parent, List<BetaCrown.Domain> domains, List<Integer> which, int[][] chosen, int k, Start start,
                           Pass pass, double[] lo, double[] hi, long[] batchShape) {
        int b = which.size(), n = root.lo().get(k).length, u = chosen[0].length, rows = 2 * u;
        List<BetaCrown.Domain> sub = new ArrayList<>();
        List<double[]> subLo = new ArrayList<>(), subHi = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            double[] l = start.lo().get(i), h = start.hi().get(i);
            if (l == null || i >= k) {
                subLo.add(null);
                subHi.add(null);
                continue;
            }
            int w = root.lo().get(i).length;
            double[] sl = new double[b * w], sh = new double[b * w];
            for (int q = 0; q < b; q++) {
                System.arraycopy(l, which.get(q) * w, sl, q * w, w);
                System.arraycopy(h, which.get(q) * w, sh, q * w, w);
            }
            subLo.add(sl);
            subHi.add(sh);
        }
        for (int q : which) sub.add(domains.get(q));
        double[] eye = new double[b * rows * n];
        for (int q = 0; q < b; q++)
            for (int r = 0; r < u; r++) {
                eye[(q * rows + r) * n + chosen[q][r]] = 1;
                eye[(q * rows + u + r) * n + chosen[q][r]] = -1;
            }
        double[][] boxLo = new double[b][], boxHi = new double[b][];
        for (int q = 0; q < b; q++) {
            boxLo[q] = lo;
            boxHi[q] = hi;
        }
        long[] shape = batchShape.clone();
        shape[0] = b;
        double[] up;
        try (NDManager m = parent.newSubManager()) {
            // Only the layers before k are read: theirs are the subdomains' own bounds, recomputed first.
            List<BetaCrown.Domain> bare = new ArrayList<>();
            for (BetaCrown.Domain d : sub) bare.add(new BetaCrown.Domain(d.splits(), null, null));
            SubdomainTensors t = new SubdomainTensors(m, root, bare, rows, new Start(subLo, subHi), false);
            NDArray spec = m.create(eye, SubdomainTensors.withBatch(root.bounds().get(k)[0].getShape().getShape(), b, rows));
            up = pass.upper(spec, t, Region.boxes(m, boxLo, boxHi, shape), k).toDoubleArray();
        }
        double[] l = start.lo().get(k), h = start.hi().get(k);
        for (int q = 0; q < b; q++) {
            int d = which.get(q);
            for (int r = 0; r < u; r++) {
                int j = chosen[q][r], at = d * n + j;
                double nh = Math.min(h[at], up[q * rows + r]), nl = Math.max(l[at], -up[q * rows + u + r]);
                // Sound bounds of a nonempty subdomain cannot cross, nor cross a split of this neuron; rounding can, on
                // a neuron nearly fixed: then the old bounds stay (they are sound too).
                if (!(nl <= nh) || crossesSplit(domains.get(d), k, j, nl, nh)) continue;
                l[at] = nl;
                h[at] = nh;
            }
        }
    }

    private static boolean crossesSplit(BetaCrown.Domain d, int k, int j, double nl, double nh) {
        for (BetaCrown.Split s : d.splits())
            if (s.layer() == k && s.neuron() == j && (s.active() ? nh < 0 : nl > 0)) return true;
        return false;
    }

    /** Subdomain q's bounds of the root's unstable neurons, rounded outward to floats. */
    BetaCrown.Bounds keep(Start start, int q) {
        float[] l = new float[count], h = new float[count];
        int at = 0;
        for (int i = 0; i < layers.size(); i++) {
            if (unstable[i] == null) continue;
            int n = root.lo().get(i).length;
            for (int j : unstable[i]) {
                double a = start.lo().get(i)[q * n + j], c = start.hi().get(i)[q * n + j];
                float fa = (float) a, fc = (float) c;
                l[at] = fa > a ? Math.nextDown(fa) : fa;
                h[at] = fc < c ? Math.nextUp(fc) : fc;
                at++;
            }
        }
        return new BetaCrown.Bounds(l, h);
    }
}
