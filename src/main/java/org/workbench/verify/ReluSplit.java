package org.workbench.verify;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.workbench.net.TorchNet;
import org.workbench.relax.BetaCrown;
import org.workbench.spec.LinearConstraint;

/**
 * Branch and bound on ReLU neurons for one unsafe conjunction over one input box, for inputs too many to split:
 * beta-CROWN bounds a batch of subdomains at a time, the subdomains with the weakest bounds are split first (on
 * the neuron BetaCrown names), and a subdomain is closed when one constraint of the conjunction cannot hold in
 * it. Each bounded subdomain's candidate corner is tried as a counterexample, and every few rounds the weakest
 * ones seed a short gradient search.
 */
final class ReluSplit {
    /** Outcome of a search: "safe" (every subdomain closed), "found" (x is a counterexample) or "unknown". */
    record Outcome(String status, double[] x, long domains) {}

    private record Node(BetaCrown.Domain domain, BetaCrown.Bounded bounded, double openness) {}

    static final int ROOT_ITERATIONS = 50, SEARCH_EVERY = 20;
    static final double ROOT_LR_ALPHA = 0.1, ROOT_LR_BETA = 0.05;

    private final TorchNet net64;
    private final Falsifier falsifier;
    private final BetaCrown bc;
    private final double[] lo, hi;
    private final List<LinearConstraint> conj;
    private final double[][] rows;
    private final PriorityQueue<Node> open = new PriorityQueue<>(Comparator.comparingDouble(Node::openness).reversed());
    private List<Node> fresh = new ArrayList<>();
    private boolean stuck;
    /** The largest openness of the subdomains that left the frontier (closed, or stuck with every neuron fixed). */
    private double settled = Double.NEGATIVE_INFINITY;
    private long domains;
    private int round;
    private Outcome outcome;
    private List<BetaCrown.Domain> pendingChildren = List.of();
    private List<BetaCrown.Bounded> pendingParents = List.of();

    /** Bounds the root (the whole box) for the conjunction; {@link #runTogether} then works down the open subdomains. */
    ReluSplit(TorchNet net64, Falsifier falsifier, BetaCrown bc, double[] lo, double[] hi, List<LinearConstraint> conj) {
        this.net64 = net64;
        this.falsifier = falsifier;
        this.bc = bc;
        this.lo = lo;
        this.hi = hi;
        this.conj = conj;
        rows = new double[conj.size()][];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = conj.get(r).coef().clone();
            for (int k = 0; k < rows[r].length; k++) rows[r][k] = -rows[r][k];
        }
        BetaCrown.Domain rootDomain = new BetaCrown.Domain(List.of(), null, null);
        BetaCrown.Bounded root = bc.bound(List.of(rootDomain), rows, ROOT_ITERATIONS, ROOT_LR_ALPHA, ROOT_LR_BETA).get(0);
        domains = 1;
        if (org.workbench.config.Verbose.on()) System.err.printf("bab: %d unstable at the root, root bound %.6f%n", bc.unstableAtRoot(), openness(root, conj));
        if (!closed(root, conj)) fresh.add(new Node(rootDomain, root, openness(root, conj)));
        else settled = openness(root, conj);
    }

    /**
     * A proven upper bound, over the whole box, of the smallest over the conjunction's constraints of rhs - c·y (for one
     * constraint, of how far it can be met): the largest openness over the leaves, closed or open, of the subdomain
     * tree, which together cover the box.
     */
    double provenBound() {
        double b = settled; // Math.max keeps a NaN, which the end turns into no bound
        for (Node n : open) b = Math.max(b, n.openness());
        for (Node n : fresh) b = Math.max(b, n.openness());
        // Parents whose children were proposed but not bounded yet (a search that stopped the round early).
        for (BetaCrown.Bounded p : pendingParents) b = Math.max(b, openness(p, conj));
        return Double.isNaN(b) ? Double.POSITIVE_INFINITY : b; // a NaN leaf bound proves nothing
    }

    long domains() {
        return domains;
    }

    /** How far the root is from closing (0 when it closed at once). */
    double rootGap() {
        return fresh.isEmpty() ? 0 : fresh.get(0).openness();
    }

    /**
     * Rounds of several searches over the same box, their children bounded in shared batches (one per number of
     * rows): a search whose frontier is small no longer pays a whole batch's fixed cost alone. Stops at the first
     * counterexample or "unknown", or when every search is safe; returns null at the deadline.
     */
    static Outcome runTogether(List<ReluSplit> searches, BetaCrown bc, int childrenPerRound, int iterations, double lrAlpha, double lrBeta,
                               long deadlineNanos) {
        List<ReluSplit> active = new ArrayList<>(searches);
        Progress progress = new Progress("relu split", deadlineNanos);
        while (!active.isEmpty()) {
            if (System.nanoTime() > deadlineNanos) return null;
            long done = 0, openNow = 0;
            double weakest = Double.NEGATIVE_INFINITY;
            for (ReluSplit s : searches) {
                done += s.domains;
                openNow += s.open.size() + s.fresh.size();
                if (!s.open.isEmpty()) weakest = Math.max(weakest, s.open.peek().openness());
            }
            progress.report(done, openNow, weakest);
            int share = Math.max(2, childrenPerRound / active.size());
            java.util.Map<Integer, List<ReluSplit>> byRows = new java.util.TreeMap<>();
            java.util.Map<ReluSplit, List<BetaCrown.Domain>> asked = new java.util.HashMap<>();
            for (java.util.Iterator<ReluSplit> it = active.iterator(); it.hasNext(); ) {
                ReluSplit s = it.next();
                List<BetaCrown.Domain> children = s.propose(share);
                if (children == null) {
                    if (!s.outcome.status().equals("safe")) return s.outcome;
                    it.remove();
                    continue;
                }
                asked.put(s, children);
                byRows.computeIfAbsent(s.rows.length, k -> new ArrayList<>()).add(s);
            }
            for (List<ReluSplit> group : byRows.values()) {
                List<BetaCrown.Domain> batch = new ArrayList<>();
                List<double[][]> rowsPer = new ArrayList<>();
                for (ReluSplit s : group)
                    for (BetaCrown.Domain d : asked.get(s)) {
                        batch.add(d);
                        rowsPer.add(s.rows);
                    }
                List<BetaCrown.Bounded> bounded = boundInParallel(bc, batch, rowsPer, iterations, lrAlpha, lrBeta);
                int at = 0;
                for (ReluSplit s : group) {
                    int n = asked.get(s).size();
                    s.take(bounded.subList(at, at + n));
                    at += n;
                }
            }
        }
        return new Outcome("safe", null, 0);
    }

    /** One batch, a part per worker thread. */
    private static List<BetaCrown.Bounded> boundInParallel(BetaCrown bc, List<BetaCrown.Domain> batch, List<double[][]> rowsPer, int iterations,
                                                           double lrAlpha, double lrBeta) {
        int parts = Workers.parts(batch.size(), 16);
        List<java.util.concurrent.Callable<List<BetaCrown.Bounded>>> tasks = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            int from = batch.size() * p / parts, to = batch.size() * (p + 1) / parts;
            List<BetaCrown.Domain> d = batch.subList(from, to);
            List<double[][]> r = rowsPer.subList(from, to);
            tasks.add(() -> bc.bound(d, r, iterations, lrAlpha, lrBeta));
        }
        List<BetaCrown.Bounded> out = new ArrayList<>();
        for (List<BetaCrown.Bounded> part : Workers.all(tasks)) out.addAll(part);
        return out;
    }

    /**
     * Checks the subdomains bounded last (candidates, search), then picks up to {@code maxChildren} children of the
     * most open ones; null once the outcome is known.
     */
    private List<BetaCrown.Domain> propose(int maxChildren) {
        if (outcome != null) return null;
        double[] x = check(fresh, conj, lo, hi, round);
        if (x != null) {
            outcome = new Outcome("found", x, domains);
            return null;
        }
        for (Node n : fresh) {
            if (n.bounded().branch() == null) { // every neuron fixed and still open: the bound cannot decide it
                stuck = true;
                settled = Math.max(settled, n.openness());
            } else open.add(n);
        }
        fresh = new ArrayList<>();
        if (open.isEmpty()) {
            outcome = new Outcome(stuck ? "unknown" : "safe", null, domains);
            return null;
        }
        // Open subdomains hold their slopes (a few KB each): past most of the heap, give up rather than fail.
        Runtime rt = Runtime.getRuntime();
        if (rt.totalMemory() - rt.freeMemory() > 0.85 * rt.maxMemory()) {
            System.gc();
            if (rt.totalMemory() - rt.freeMemory() > 0.85 * rt.maxMemory()) {
                outcome = new Outcome("unknown", null, domains);
                return null;
            }
        }
        if (org.workbench.config.Verbose.on() && round % 20 == 0) System.err.printf("bab: round %d, %d domains, %d open, worst %.6f%n", round, domains, open.size(), open.peek().openness());
        List<BetaCrown.Domain> children = new ArrayList<>();
        pendingParents = new ArrayList<>();
        while (!open.isEmpty() && children.size() + 2 <= Math.max(2, maxChildren)) {
            Node p = open.poll();
            for (boolean active : new boolean[] {true, false}) {
                children.add(child(p, p.bounded().branch(), active));
                pendingParents.add(p.bounded());
            }
        }
        pendingChildren = children;
        return children;
    }

    /** Takes the bounds of the children {@link #propose} gave. */
    private void take(List<BetaCrown.Bounded> bounded) {
        domains += pendingChildren.size();
        round++;
        for (int i = 0; i < pendingChildren.size(); i++) {
            // A subdomain's bound holds for its children too: each keeps the better of the two.
            double[] up = bounded.get(i).upper(), parentUp = pendingParents.get(i).upper();
            for (int r = 0; r < up.length; r++) up[r] = org.workbench.solve.NonFinite.tighterUpper(up[r], parentUp[r]);
            if (!closed(bounded.get(i), conj)) fresh.add(new Node(pendingChildren.get(i), bounded.get(i), openness(bounded.get(i), conj)));
            else settled = Math.max(settled, openness(bounded.get(i), conj));
        }
        pendingChildren = List.of();
        pendingParents = List.of();
    }

    private static BetaCrown.Domain child(Node p, BetaCrown.Split s, boolean active) {
        List<BetaCrown.Split> splits = new ArrayList<>(p.domain().splits());
        splits.add(new BetaCrown.Split(s.layer(), s.neuron(), active));
        return new BetaCrown.Domain(splits, p.bounded().alpha(), p.bounded().beta());
    }

    /**
     * A counterexample among the new subdomains' candidate corners; every few rounds, also a gradient search from
     * the candidates of the most open ones.
     */
    private double[] check(List<Node> fresh, List<LinearConstraint> conj, double[] lo, double[] hi, int round) {
        if (fresh.isEmpty()) return null;
        double[][] xs = new double[fresh.size()][];
        for (int i = 0; i < xs.length; i++) xs[i] = fresh.get(i).bounded().candidate();
        double[] found = falsifier.firstSatisfying(xs, conj);
        if (found != null) return found;
        if (round % SEARCH_EVERY != 0) return null;
        List<Node> sorted = new ArrayList<>(fresh);
        sorted.sort(Comparator.comparingDouble(Node::openness).reversed());
        double[][] seeds = new double[Math.min(8, sorted.size())][];
        for (int i = 0; i < seeds.length; i++) seeds[i] = sorted.get(i).bounded().candidate();
        return falsifier.searchFrom(lo, hi, conj, seeds, 20);
    }

    /** Closed when some constraint c·y <= d cannot hold: its lower bound -upper clears d. */
    private static boolean closed(BetaCrown.Bounded b, List<LinearConstraint> conj) {
        for (int r = 0; r < conj.size(); r++) if (Verifier.impossible(-b.upper()[r], conj.get(r).rhs())) return true;
        return false;
    }

    /** How far the subdomain is from closing: the smallest, over constraints, of how much d exceeds the lower bound. */
    private static double openness(BetaCrown.Bounded b, List<LinearConstraint> conj) {
        double o = Double.POSITIVE_INFINITY;
        for (int r = 0; r < conj.size(); r++) o = Math.min(o, b.upper()[r] + conj.get(r).rhs());
        return o;
    }
}
