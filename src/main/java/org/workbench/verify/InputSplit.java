package org.workbench.verify;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.PriorityQueue;
import org.workbench.exact.MipFeasibility;
import org.workbench.net.Network;
import org.workbench.net.TorchNet;
import org.workbench.relax.NeuronBounds;
import org.workbench.spec.LinearConstraint;

/**
 * Branch and bound on the input box (for low-dimensional inputs such as ACAS Xu's five): CROWN bounds every
 * constraint over a batch of boxes; a box is safe when each unsafe conjunction has a constraint that cannot
 * hold anywhere in it; otherwise its centre is tried as a counterexample and it is split in two along the input
 * with the largest influence on its bounds ({@link SplitChoice}: its smear, or width times CROWN's coefficients), or, where
 * that split barely narrowed the parent's gap to a proof (or everywhere), if asked, the one {@link Lookahead}
 * finds clearly better. Open boxes
 * are taken best first: those whose parent's bound leaves the most room to meet an unsafe conjunction. Proving
 * needs every box anyway, so the order costs nothing there, and a rare counterexample is reached far sooner than by
 * a depth-first sweep (ACAS Xu 1_9 property 7: found in 76 s, not in 116 s depth first) or by following the
 * centres that come closest (stuck in one basin, as gradient search is). Each round, the box with the most room
 * also gets a short gradient search. A box the bounds cannot close but with few unstable ReLUs is decided exactly by a
 * MIP ({@link MipFeasibility}, compact form) rather than halved further.
 */
final class InputSplit {
    /** Outcome of a search: SAFE (every box closed), FOUND (x is a counterexample), or UNKNOWN (time out). */
    record Outcome(String status, double[] x, long boxes) {}

    /** An open box; {@code priority} is its parent's bound on how far an unsafe conjunction can be met (smaller first). */
    private record Box(double[] lo, double[] hi, double priority) {}

    /** Open boxes kept for best-first order; past it children go depth first, which needs no more memory (about 1 GB of boxes). */
    private static final int QUEUE_CAP = 2_000_000;
    private final Network net;
    private final TorchNet net64;
    private final Falsifier falsifier;
    private final int batch;
    private final LookAt lookAt;

    /** Which boxes {@link Lookahead} splits: none, those whose split stalled, or all. */
    enum LookAt { NONE, STALLED, ALL }

    InputSplit(Network net, TorchNet net64, Falsifier falsifier, VerifySettings settings, LookAt lookAt) {
        this.net = net;
        this.net64 = net64;
        this.falsifier = falsifier;
        this.batch = settings.splitBatch();
        this.mipUnstable = settings.splitMipUnstable();
        this.mipSecondsEach = settings.splitMipSeconds();
        this.lookAt = lookAt;
        this.smear = settings.splitChoice() == SplitChoice.Rule.SMEAR && SplitChoice.applies(net);
    }

    /** CROWN over the boxes, a part per worker thread; fills coefficients as {@link NeuronBounds#upperAndCoefficients}. */
    private double[][] crownInParallel(double[][] bl, double[][] bh, double[][] rows, double[][] coefficients) {
        return crownInParallel(bl, bh, rows, coefficients, null);
    }

    private double[][] crownInParallel(double[][] bl, double[][] bh, double[][] rows, double[][] coefficients, int[] unstable) {
        return crownInParallel(bl, bh, rows, coefficients, unstable, null);
    }

    private double[][] crownInParallel(double[][] bl, double[][] bh, double[][] rows, double[][] coefficients, int[] unstable,
                                       NeuronBounds.Layers[] layers) {
        int n = bl.length, parts = Workers.parts(n, 32);
        List<java.util.concurrent.Callable<double[][]>> tasks = new ArrayList<>();
        List<double[][]> coefParts = new ArrayList<>();
        List<int[]> unstableParts = new ArrayList<>();
        List<NeuronBounds.Layers[]> layerParts = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            int from = n * p / parts, to = n * (p + 1) / parts;
            double[][] l = java.util.Arrays.copyOfRange(bl, from, to), h = java.util.Arrays.copyOfRange(bh, from, to);
            double[][] c = new double[to - from][];
            coefParts.add(c);
            int[] u = unstable == null ? null : new int[to - from];
            unstableParts.add(u);
            NeuronBounds.Layers[] nb = layers == null ? null : new NeuronBounds.Layers[to - from];
            layerParts.add(nb);
            tasks.add(() -> NeuronBounds.upperAndCoefficients(net64, l, h, rows, NeuronBounds.Method.CROWN, c, u, nb));
        }
        double[][] up = new double[n][];
        int at = 0;
        for (double[][] part : Workers.all(tasks)) for (double[] row : part) up[at++] = row;
        at = 0;
        for (double[][] c : coefParts) for (double[] row : c) coefficients[at++] = row;
        if (unstable != null) {
            at = 0;
            for (int[] u : unstableParts) for (int v : u) unstable[at++] = v;
        }
        if (layers != null) {
            at = 0;
            for (NeuronBounds.Layers[] nb : layerParts) for (NeuronBounds.Layers v : nb) layers[at++] = v;
        }
        return up;
    }


    /** Box [lo, hi] clipped to where conjunction g (constraints coef·y <= rhs) can hold, or null where it cannot. */
    private static double[][] clipped(double[] lo, double[] hi, double[] coefficients, double[] up, int[] g, List<LinearConstraint> all) {
        int d = lo.length;
        double[][] a = new double[g.length][];
        double[] u = new double[g.length], need = new double[g.length];
        for (int m = 0; m < g.length; m++) {
            a[m] = java.util.Arrays.copyOfRange(coefficients, g[m] * d, (g[m] + 1) * d);
            u[m] = up[g[m]];
            need[m] = -all.get(g[m]).rhs(); // rows are -coef, so coef·y <= rhs is rows·y >= -rhs
        }
        return BoxClip.clip(lo, hi, a, u, need);
    }

    private static double[] min(double[] a, double[] b) {
        for (int k = 0; k < a.length; k++) a[k] = Math.min(a[k], b[k]);
        return a;
    }

    private static double[] max(double[] a, double[] b) {
        for (int k = 0; k < a.length; k++) a[k] = Math.max(a[k], b[k]);
        return a;
    }

    /** The share of box [lo, hi]'s volume outside [l, h] (a diagnostic for the debug line). */
    private static double volumeShare(double[] lo, double[] hi, double[] l, double[] h) {
        double kept = 1;
        for (int k = 0; k < lo.length; k++) if (hi[k] > lo[k]) kept *= (h[k] - l[k]) / (hi[k] - lo[k]);
        return 1 - kept;
    }

    /** Boxes with at most this many unstable ReLUs go to the MIP (-1: never). */
    private final int mipUnstable;
    /** Time limit of one box's MIP; past it the box is split as usual. */
    private final double mipSecondsEach;
    private long mipCalls, mipClosed;
    private double mipSeconds;

    private synchronized void countMip(long t0, boolean closed) {
        mipCalls++;
        if (closed) mipClosed++;
        mipSeconds += (System.nanoTime() - t0) / 1e9;
    }

    /**
     * Whether no point of box [l, h] meets any of the conjunctions (safe), by a MIP per conjunction with neuron bounds
     * b, which must hold over the box (they may be a larger box's); or a point that
     * does, re-checked in float64. Neither when a MIP runs out of time or finds only a point within the solver's
     * tolerance.
     */
    private Verifier.Closed decideExactly(double[] l, double[] h, NeuronBounds.Layers b, List<List<LinearConstraint>> conjunctions, long deadline) {
        long t0 = System.nanoTime();
        boolean closed = false;
        try {
            for (List<LinearConstraint> conj : conjunctions) {
                double seconds = Math.min(mipSecondsEach, (deadline - System.nanoTime()) / 1e9);
                if (seconds <= 0.01) return new Verifier.Closed(false, null);
                MipFeasibility.Result r = MipFeasibility.check(net, net64, l, h, b.lo(), b.hi(), conj, seconds, "scip", true);
                if (r.status() == MipFeasibility.Status.FOUND && Falsifier.satisfies(conj, net64.logits(new double[][] {r.x()})[0]))
                    return new Verifier.Closed(false, r.x());
                if (r.status() != MipFeasibility.Status.INFEASIBLE) return new Verifier.Closed(false, null);
            }
            closed = true;
            return new Verifier.Closed(true, null);
        } finally {
            countMip(t0, closed);
        }
    }

    /**
     * Group g's constraint indices followed by new ones, appended to {@code all}: averages of its constraints (weights
     * inversely proportional to their norms, so equally scaled constraints get equal weights), over all of them and over each pair (up to 6 constraints). Where the conjunction holds, every average
     * holds too, so they cut no point; but CROWN bounds an average tighter than the same average of its bounds, since
     * the relaxation's slack partly cancels, and one impossible average closes a box where no single constraint is
     * impossible everywhere (ACAS Xu property 2: y0 is the largest score, a different rival winning in each part).
     */
    static int[] withCombinations(int[] g, List<LinearConstraint> all) {
        if (g.length < 2) return g;
        List<int[]> subsets = new ArrayList<>();
        subsets.add(g);
        if (g.length > 2 && g.length <= 6)
            for (int a = 0; a < g.length; a++) for (int b = a + 1; b < g.length; b++) subsets.add(new int[] {g[a], g[b]});
        int[] out = java.util.Arrays.copyOf(g, g.length + subsets.size());
        for (int q = 0; q < subsets.size(); q++) {
            double[] coef = new double[all.get(g[0]).coef().length];
            double rhs = 0, total = 0;
            for (int r : subsets.get(q)) total += 1 / norm(all.get(r));
            if (!(total < Double.POSITIVE_INFINITY)) return g; // a constant constraint: nothing to average
            for (int r : subsets.get(q)) {
                LinearConstraint c = all.get(r);
                double weight = 1 / norm(c) / total;
                for (int k = 0; k < coef.length; k++) coef[k] += weight * c.coef()[k];
                rhs += weight * c.rhs();
            }
            out[g.length + q] = all.size();
            all.add(new LinearConstraint(coef, rhs));
        }
        return out;
    }

    private static double norm(LinearConstraint c) {
        double s = 0;
        for (double v : c.coef()) s += v * v;
        return Math.sqrt(s);
    }

    /** Most of the time the per-round gradient search may take. */
    private static final double SEARCH_SHARE = 0.03;

    /** A box is stalled when its gap to a proof is still above this share of its parent's. */
    private static final double STALL = 0.9;
    private long lookaheads, changedSplits, rounds;
    /** Whether the split input is chosen by the smear (when the network allows it) rather than CROWN's coefficients. */
    private final boolean smear;

    Outcome run(double[] lo, double[] hi, List<List<LinearConstraint>> dnf, long deadlineNanos) {
        List<LinearConstraint> all = new ArrayList<>();
        List<int[]> groups = new ArrayList<>();
        for (List<LinearConstraint> conj : dnf) {
            int[] g = new int[conj.size()];
            for (int m = 0; m < conj.size(); m++) {
                g[m] = all.size();
                all.add(conj.get(m));
            }
            groups.add(g);
        }
        int originals = all.size();
        for (int q = 0; q < groups.size(); q++) groups.set(q, withCombinations(groups.get(q), all));
        // Upper bounds of -c·y give lower bounds of c·y: a constraint c·y <= d is impossible where min c·y > d.
        double[][] rows = new double[all.size()][];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = all.get(r).coef().clone();
            for (int k = 0; k < rows[r].length; k++) rows[r][k] = -rows[r][k];
        }
        double[] span = new double[lo.length];
        for (int k = 0; k < lo.length; k++) span[k] = Math.max(hi[k] - lo[k], 1e-300);
        PriorityQueue<Box> queue = new PriorityQueue<>((a, b) -> Double.compare(a.priority(), b.priority()));
        queue.add(new Box(lo.clone(), hi.clone(), 0));
        // Best first would keep every open box; past QUEUE_CAP children go depth first, which needs no more memory.
        Deque<Box> stack = new ArrayDeque<>();
        long boxes = 0;
        double clippedAway = 0;
        Progress progress = new Progress("input split", deadlineNanos);
        long started = System.nanoTime(), searchNanos = 0;
        while (!queue.isEmpty() || !stack.isEmpty()) {
            progress.report(boxes, queue.size() + stack.size(), queue.isEmpty() ? Double.NaN : -queue.peek().priority());
            if (System.nanoTime() > deadlineNanos) return new Outcome("unknown", null, boxes);
            List<Box> part = new ArrayList<>();
            while (!stack.isEmpty() && part.size() < batch) part.add(stack.pollLast());
            while (!queue.isEmpty() && part.size() < batch) part.add(queue.poll());
            boxes += part.size();
            double[][] bl = new double[part.size()][], bh = new double[part.size()][], centres = new double[part.size()][];
            for (int i = 0; i < part.size(); i++) {
                bl[i] = part.get(i).lo();
                bh[i] = part.get(i).hi();
                centres[i] = new double[lo.length];
                for (int k = 0; k < lo.length; k++) centres[i][k] = (bl[i][k] + bh[i][k]) / 2;
            }
            double[][] coefficients = new double[part.size()][];
            int[] unstable = new int[part.size()];
            // The MIP's big-M constants come from these bounds of the unclipped box: looser than the clipped box's own,
            // but bounding it again cost a third of the time on 3_3 prop_2 (87 s against 61 s, the same boxes).
            NeuronBounds.Layers[] layerBounds = new NeuronBounds.Layers[part.size()];
            double[][] up = crownInParallel(bl, bh, rows, coefficients, unstable, layerBounds);
            double[][] y = net64.logits(centres);
            // The open box whose bound leaves a conjunction the most room gets a short gradient search: rare
            // counterexamples sit in boxes the bounds cannot close, long before centres land on them, and the
            // centre that comes closest leads into one basin again and again.
            double mostRoom = Double.POSITIVE_INFINITY;
            int roomiestBox = -1;
            List<LinearConstraint> roomiestConj = null;
            List<Integer> open = new ArrayList<>(), stuck = new ArrayList<>();
            List<List<List<LinearConstraint>>> openConjs = new ArrayList<>();
            int[] dimOf = new int[part.size()];
            double[] priorityOf = new double[part.size()];
            for (int i = 0; i < part.size(); i++) {
                openConjs.add(new ArrayList<>());
                double[] clipLo = null, clipHi = null;
                double priority = Double.POSITIVE_INFINITY;
                for (int[] g : groups) {
                    boolean impossible = false;
                    for (int r : g) if (Verifier.impossible(-up[i][r], all.get(r).rhs())) impossible = true;
                    if (impossible) continue;
                    double[][] box = clipped(bl[i], bh[i], coefficients[i], up[i], g, all);
                    if (box == null) continue;
                    clipLo = clipLo == null ? box[0].clone() : min(clipLo, box[0]);
                    clipHi = clipHi == null ? box[1].clone() : max(clipHi, box[1]);
                    List<LinearConstraint> conj = new ArrayList<>();
                    for (int r : g) if (r < originals) conj.add(all.get(r));
                    if (Falsifier.satisfies(conj, y[i])) return new Outcome("found", centres[i], boxes);
                    openConjs.get(i).add(conj);
                    // How far the relaxation lets the conjunction be violated: its weakest constraint's lower bound.
                    double room = Double.NEGATIVE_INFINITY;
                    for (int r : g) room = Math.max(room, -up[i][r] - all.get(r).rhs());
                    priority = Math.min(priority, room);
                    if (room < mostRoom) {
                        mostRoom = room;
                        roomiestBox = i;
                        roomiestConj = conj;
                    }
                }
                if (clipLo == null) continue;
                if (org.workbench.config.Verbose.on()) clippedAway += volumeShare(bl[i], bh[i], clipLo, clipHi);
                bl[i] = clipLo;
                bh[i] = clipHi;
                int dim = SplitChoice.dimension(smear, net, layerBounds[i], rows, coefficients[i], bl[i], bh[i], span);
                if (bh[i][dim] - bl[i][dim] <= 1e-9 * span[dim]) {
                    // A box this small that bounds cannot close sits on the property's edge: if anything, a search
                    // inside it can still find a counterexample; it can no longer be proven.
                    for (int[] g : groups) {
                        List<LinearConstraint> conj = new ArrayList<>();
                        for (int r : g) if (r < originals) conj.add(all.get(r));
                        double[] x = falsifier.search(bl[i], bh[i], conj, 8, 20);
                        if (x != null) return new Outcome("found", x, boxes);
                    }
                    return new Outcome("unknown", null, boxes);
                }
                open.add(i);
                dimOf[i] = dim;
                priorityOf[i] = priority;
                // A box whose gap to a proof its parent's split barely narrowed is split by looking ahead.
                double parentGap = -part.get(i).priority(), gap = -priority;
                if (lookAt == LookAt.ALL || lookAt == LookAt.STALLED && parentGap > 0 && gap > STALL * parentGap) stuck.add(i);
            }
            // A box with few unstable ReLUs is decided exactly: on ACAS Xu property 2 the bounds leave gaps of 0.005-0.04
            // on boxes whose true margin is 0.001-0.005, and halving them again and again never closed 3_3 or 4_2.
            List<Integer> mipped = new ArrayList<>();
            for (int i : open) if (unstable[i] <= mipUnstable) mipped.add(i);
            if (!mipped.isEmpty()) {
                List<java.util.concurrent.Callable<Verifier.Closed>> tasks = new ArrayList<>();
                for (int i : mipped) tasks.add(() -> decideExactly(bl[i], bh[i], layerBounds[i], openConjs.get(i), deadlineNanos));
                List<Verifier.Closed> decided = Workers.all(tasks);
                java.util.Set<Integer> closed = new java.util.HashSet<>();
                for (int q = 0; q < decided.size(); q++) {
                    if (decided.get(q).x() != null) return new Outcome("found", decided.get(q).x(), boxes);
                    if (decided.get(q).safe()) closed.add(mipped.get(q));
                }
                open.removeIf(closed::contains);
                stuck.removeIf(closed::contains);
            }
            if (!stuck.isEmpty()) {
                double[][] sl = new double[stuck.size()][], sh = new double[stuck.size()][];
                int[] dims = new int[stuck.size()];
                for (int q = 0; q < dims.length; q++) {
                    int i = stuck.get(q);
                    sl[q] = bl[i];
                    sh[q] = bh[i];
                    dims[q] = dimOf[i];
                }
                changedSplits += Lookahead.choose(sl, sh, dims, (l, h) -> crownInParallel(l, h, rows, new double[l.length][]), groups, all);
                for (int q = 0; q < dims.length; q++) dimOf[stuck.get(q)] = dims[q];
                lookaheads += dims.length;
            }
            for (int i : open) {
                int dim = dimOf[i];
                double priority = priorityOf[i];
                double mid = (bl[i][dim] + bh[i][dim]) / 2;
                double[] h1 = bh[i].clone(), l2 = bl[i].clone();
                h1[dim] = mid;
                l2[dim] = mid;
                Box first = new Box(bl[i], h1, priority), second = new Box(l2, bh[i], priority);
                if (queue.size() < QUEUE_CAP) {
                    queue.add(first);
                    queue.add(second);
                } else {
                    stack.add(first);
                    stack.add(second);
                }
            }
            if (org.workbench.config.Verbose.on() && ++rounds % 40 == 0)
                System.err.printf("split: %d boxes, %d looked ahead (%d changed), %d queued, best room %.6f, mean share clipped %.3f, %d MIPs (%d closed, %.1f s)%n", boxes, lookaheads, changedSplits,
                                  queue.size() + stack.size(), queue.isEmpty() ? Double.NaN : queue.peek().priority(), clippedAway / boxes, mipCalls, mipClosed, mipSeconds);
            // The search runs on this thread while the bound workers wait, so it gets at most a share of the time
            // (every round, it took a tenth of ACAS Xu 4_7 property 1's 98 s, which has no counterexample).
            if (roomiestBox >= 0 && searchNanos <= SEARCH_SHARE * (System.nanoTime() - started)) {
                long t0 = System.nanoTime();
                double[] x = falsifier.search(bl[roomiestBox], bh[roomiestBox], roomiestConj, 4, 15, Falsifier.SAMPLES);
                searchNanos += System.nanoTime() - t0;
                if (x != null) return new Outcome("found", x, boxes);
            }
        }
        return new Outcome("safe", null, boxes);
    }
}
