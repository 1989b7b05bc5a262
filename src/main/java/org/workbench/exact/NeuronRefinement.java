package org.workbench.exact;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.workbench.net.Linear;
import org.workbench.net.Network;
import org.workbench.net.TorchNet;

/**
 * Tightens the bounds of one layer's unstable ReLU inputs by solving, per neuron, the exact MIP of the network up
 * to that layer (max and min of the neuron), as alpha,beta-CROWN refines mnistfc's intermediate bounds before
 * branch and bound: a neuron the relaxations leave unstable is often stable in truth, and every neuron made stable
 * or narrower loosens nothing later on. Only the solver's proven bounds count (widened by the solver's allowance);
 * a solve that proves nothing in its time keeps the old bound.
 */
public final class NeuronRefinement {
    private NeuronRefinement() {}


    /** Relative widening of every proven bound (see where it is applied). */
    private static final double MARGIN = 1e-5;

    /**
     * One direction of neuron j (objective c over the prefix's outputs, plus b): the solver's proven bound, widened
     * by 1e-5 of the terms' magnitude ({@code scale}), or +-Infinity when it proved none. The objective sums hundreds
     * of terms, each variable met only to the solver's feasibility tolerance (1e-6), which the widening covers. The
     * solve may stop once its bound crosses 0: a stable neuron's relaxation is exact whatever its bounds.
     */
    private static double solve(MipBackend mip, int[] v, double[] c, boolean up, double seconds, double b, double scale) {
        MipBackend.Outcome o = mip.optimize(v, c, up, seconds, Double.NaN, -b, new int[0]);
        return up ? o.bound() + b + MARGIN * scale : o.bound() + b - MARGIN * scale;
    }

    /** Solves shorter than this are skipped: the quickest that proved a neuron stable on 256x4 prop_12_0.05 took 0.15 s. */
    private static final double MIN_SECONDS = 0.1;

    /**
     * The far bound's share of a solve's time: near/far, with the near bound after its own solve. An unstable neuron
     * costs the relaxations the triangle's height -l·u/(u - l), which moves with each bound in proportion to the
     * square of the other's share of the width: with |l| ten times u, tightening l by a tenth of itself removes a
     * tenth as much as tightening u by a tenth of itself.
     */
    private static double farWeight(double near, double far) {
        double a = Math.abs(near), b = Math.abs(far);
        return b > 0 ? Math.min(1, a / b) : 1;
    }

    /**
     * Refines lo.get(k), hi.get(k) (the input of ReLU layer k, flat) in place, and the ReLU's output bounds after it.
     * lo/hi hold every layer's input bounds over the box [inLo, inHi]; those before k are the big-M constants.
     * Each neuron gets at most {@code seconds} per direction; nothing starts past {@code deadline}; the unstable
     * neurons are shared among {@code threads} solvers. Returns the number of neurons refined.
     */
    public static int refineLayer(Network net, TorchNet net64, double[] inLo, double[] inHi, List<double[]> lo, List<double[]> hi,
                                  int k, double seconds, long deadline, int threads) {
        return refineLayer(net, net64, inLo, inHi, lo, hi, k, seconds, deadline, threads, null);
    }

    /**
     * As above, the neurons taken in order of {@code weight[j]} times their width (null: the width alone): what
     * each neuron's looseness costs the bound that matters, when time runs out before every neuron is done.
     */
    public static int refineLayer(Network net, TorchNet net64, double[] inLo, double[] inHi, List<double[]> lo, List<double[]> hi,
                                  int k, double seconds, long deadline, int threads, double[] weight) {
        // Behind a linear layer, its row for neuron j is the objective over the previous ReLU's live outputs: the
        // prefix stops before it, without dead neurons, and the solver carries none of the layer's other rows.
        if (!(net.layers().get(k - 1) instanceof Linear last)) return 0;
        PrunedPrefix prefix = PrunedPrefix.of(net, k - 1, lo, hi);
        if (prefix == null) return 0; // not a plain stack of linear layers and ReLUs, whose neurons are a flat vector
        double[] l = lo.get(k), h = hi.get(k);
        List<Integer> unstable = new ArrayList<>();
        for (int j = 0; j < l.length; j++) if (l[j] < 0 && h[j] > 0) unstable.add(j);
        // Widest (times weight) first: when time runs out, the neurons that loosen later bounds most are done.
        double[] key = new double[l.length];
        for (int j = 0; j < l.length; j++) key[j] = (weight == null ? 1 : weight[j]) * Math.min(h[j], -l[j]);
        unstable.sort((a, b) -> Double.compare(key[b], key[a]));
        double[] centre = new double[inLo.length];
        for (int i = 0; i < centre.length; i++) centre[i] = (inLo[i] + inHi[i]) / 2;
        AtomicInteger next = new AtomicInteger(), done = new AtomicInteger();
        double[] newLo = l.clone(), newHi = h.clone();
        double[] outLo = prefix.lo().get(prefix.lo().size() - 1), outHi = prefix.hi().get(prefix.hi().size() - 1);
        double[] magnitude = new double[prefix.outputs().length]; // of the prefix's outputs: its last ReLU's inputs bound them
        for (int o = 0; o < magnitude.length; o++) magnitude[o] = Math.max(Math.abs(outLo[o]), Math.abs(outHi[o]));
        TorchNet prefix64 = new TorchNet(prefix.net(), net64.manager(), net64.dtype());
        Runnable work = () -> {
            try (MipBackend mip = MipBackend.of("scip", 1, 0)) {
                mip.boundOnly();
                Encoding enc = Encoding.of(prefix.net(), inLo, inHi, prefix.lo(), prefix.hi(), mip);
                double[] start = enc.solution(prefix64, centre);
                if (start != null) mip.hint(Mip.all(enc.variables()), start);
                for (int q = next.getAndIncrement(); q < unstable.size(); q = next.getAndIncrement()) {
                    if (System.nanoTime() > deadline) return;
                    int j = unstable.get(q);
                    int[] v = enc.logits;
                    double[] c = new double[v.length];
                    for (int o = 0; o < c.length; o++) c[o] = last.w(j, prefix.outputs()[o]);
                    double b = last.bias()[j], scale = 1 + Math.abs(b);
                    for (int o = 0; o < c.length; o++) scale += Math.abs(c[o]) * (1 + magnitude[o]);
                    // The bound nearer 0 first: once a solve proves the neuron stable, the other bound buys nothing
                    // (an inactive neuron outputs 0 whatever its lower bound; an active one passes its input through,
                    // which the relaxations take exactly), so it is skipped.
                    boolean upFirst = h[j] <= -l[j];
                    long t0 = System.nanoTime();
                    double first = solve(mip, v, c, upFirst, seconds, b, scale);
                    long t1 = System.nanoTime();
                    boolean stable = upFirst ? first < 0 : first > 0;
                    double farSeconds = stable ? 0 : seconds * farWeight(upFirst ? Math.min(h[j], first) : Math.max(l[j], first),
                                                                         upFirst ? l[j] : h[j]);
                    double second = farSeconds < MIN_SECONDS ? (upFirst ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY)
                            : solve(mip, v, c, !upFirst, farSeconds, b, scale);
                    double hiJ = upFirst ? first : second, loJ = upFirst ? second : first;
                    if (org.workbench.config.Verbose.on()) System.err.printf("refine %d/%d: [%.3f, %.3f] (%.2f s, %.2f s), was [%.3f, %.3f]%n", k, j, loJ, hiJ,
                            (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9, l[j], h[j]);
                    synchronized (newLo) {
                        if (Double.isFinite(hiJ)) newHi[j] = Math.min(newHi[j], hiJ);
                        if (Double.isFinite(loJ)) newLo[j] = Math.max(newLo[j], loJ);
                    }
                    done.incrementAndGet();
                }
            } catch (ArithmeticException e) {
                // A non-finite bound reached the encoding: this worker stops, and its neurons keep their old sound bounds.
                System.err.println("refine: layer " + k + " left as it was: " + e.getMessage());
            }
        };
        List<Thread> pool = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(work, "mip-refine-" + t);
            th.setDaemon(true);
            th.start();
            pool.add(th);
        }
        for (Thread th : pool) {
            try {
                th.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                prefix64.close();
                return done.get();
            }
        }
        prefix64.close();
        for (int j : unstable) {
            // Two sound bounds cannot cross except by rounding on a neuron that is nearly constant: keep the old then.
            if (!(newLo[j] <= newHi[j])) continue;
            l[j] = newLo[j];
            h[j] = newHi[j];
            if (k + 1 < lo.size()) {
                lo.get(k + 1)[j] = Math.max(lo.get(k + 1)[j], Math.max(l[j], 0));
                hi.get(k + 1)[j] = Math.min(hi.get(k + 1)[j], Math.max(h[j], 0));
            }
        }
        return done.get();
    }
}
