package org.workbench.verify;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.workbench.exact.NeuronRefinement;
import org.workbench.net.Network;
import org.workbench.net.TorchNet;
import org.workbench.relax.BetaCrown;
import org.workbench.relax.NeuronBounds;
import org.workbench.spec.LinearConstraint;
import org.workbench.spec.Property;

/**
 * Complete verification of one (network, property) instance: cheap falsification first, then CROWN over each
 * input box, then either branch and bound on the input (few inputs) or, for many inputs, a longer search and
 * branch and bound on ReLUs (or a MIP) per remaining unsafe conjunction. {@code unsat} only when every box is closed by a sound bound; {@code sat} only with a
 * counterexample that a float64 forward pass puts in the unsafe set; {@code timeout} otherwise.
 */
public final class Verifier {
    /** The answer: result is "unsat", "sat" or "timeout"; x and y are the counterexample for "sat". */
    public record Verdict(String result, double[] x, double[] y, double seconds, String method) {}

    /** Inputs up to this many dimensions are split; beyond it splitting the input cannot close a box in time. */
    static final int SPLIT_MAX_INPUTS = Integer.getInteger("workbench.verify.inputSplitMax", 16);

    /** Starts per open conjunction of the surrogate-gradient search ({@code -Dworkbench.search.surrogate}; 0: none). */
    static final int SURROGATE_STARTS = Integer.getInteger("workbench.search.surrogate", 32);

    /** The complete method for many inputs: "bab" (branch and bound on ReLUs with beta-CROWN) or "mip" (SCIP). */
    static final String COMPLETE = System.getProperty("workbench.verify.complete", "bab");

    private final Network net;
    private final Property property;
    private long boxes;

    public Verifier(Network net, Property property) {
        this.net = net;
        this.property = property;
    }

    public Verdict run(double timeoutSeconds) {
        long start = System.nanoTime();
        try {
            return decide(start, timeoutSeconds);
        } catch (ArithmeticException e) {
            // A non-finite bound or weight reached a MIP: nothing is decided from it.
            System.err.println("verify: unknown: numerical failure: " + e.getMessage());
            return new Verdict("unknown", null, null, (System.nanoTime() - start) / 1e9, "numerical failure");
        }
    }

    private Verdict decide(long start, double timeoutSeconds) {
        long deadline = start + (long) (timeoutSeconds * 1e9);
        try (NDManager m = NDManager.newBaseManager();
             TorchNet net32 = new TorchNet(net, m, DataType.FLOAT32);
             TorchNet net64 = new TorchNet(net, m, DataType.FLOAT64)) {
            Falsifier falsifier = new Falsifier(net32, net64, 1);
            for (Property.Case c : property.cases()) {
                double[] x = falsifier.search(c.lo(), c.hi(), c.unsafe(), 16, 30);
                if (x != null) return sat(x, net64, start, "attack");
            }
            boolean allSafe = true;
            for (Property.Region region : property.regions()) {
                Closed r = closeRegion(region, net64, falsifier, deadline);
                if (r.x() != null) return sat(r.x(), net64, start, "search");
                if (!r.safe()) allSafe = false;
            }
            double sec = (System.nanoTime() - start) / 1e9;
            return new Verdict(allSafe ? "unsat" : "timeout", null, null, sec, net.inputSize() <= SPLIT_MAX_INPUTS ? "input-split " + boxes + " boxes" : COMPLETE.equals("mip") ? "crown+mip" : "relu-split " + boxes + " domains");
        }
    }

    /** Whether a box was closed (safe), or a counterexample x found in it; neither means time ran out. */
    record Closed(boolean safe, double[] x) {}

    private Closed closeRegion(Property.Region region, TorchNet net64, Falsifier falsifier, long deadline) {
        if (net.inputSize() <= SPLIT_MAX_INPUTS) return inputSplit(region, net64, falsifier, deadline);
        List<List<LinearConstraint>> open = openConjunctions(region, net64);
        // Gradients through the relaxation's slopes first: on nearly flat networks they find what plain gradients miss.
        if (SURROGATE_STARTS > 0) {
            double[] x = new SurrogateSearch(falsifier.net32(), net64, 1).search(region.lo(), region.hi(), open, SURROGATE_STARTS, 100);
            if (x != null) return new Closed(false, x);
        }
        // A longer search first: branch and bound proves, it rarely finds what a search from many starts finds.
        for (List<LinearConstraint> conj : open) {
            if (System.nanoTime() > deadline) return new Closed(false, null);
            double[] x = falsifier.search(region.lo(), region.hi(), conj, Integer.getInteger("workbench.search.starts", 64), Integer.getInteger("workbench.search.steps", 100));
            if (x != null) return new Closed(false, x);
        }
        if (open.isEmpty()) return new Closed(true, null);
        if (COMPLETE.equals("mip")) {
            for (List<LinearConstraint> conj : open) {
                if (System.nanoTime() > deadline) return new Closed(false, null);
                Closed r = MipStep.decide(net, net64, region.lo(), region.hi(), conj, deadline);
                if (!r.safe()) return r;
            }
            return new Closed(true, null);
        }
        if (!(REFINE_SECONDS > 0)) return reluSplit(region, net64, falsifier, open, deadline, null, Double.POSITIVE_INFINITY);
        // Branch and bound alone first: what it closes at all it mostly closes in seconds, while refining the root's
        // bounds by MIP costs tens of seconds; what it leaves open starts over from the refined bounds. Its subdomains'
        // corners also find counterexamples that the searches miss (256x4 prop_1_0.05 without the surrogate search:
        // 12.3 s with this phase, 190.7 s without it). A root gap past PLAIN_MAX_GAP skips the phase: none it proved
        // started there, and the counterexamples it found there the surrogate search now finds first (in about 5 s).
        long now = System.nanoTime();
        Closed plain = reluSplit(region, net64, falsifier, open, now + (long) (PLAIN_SHARE * (deadline - now)), null, PLAIN_MAX_GAP);
        if (plain.safe() || plain.x() != null || System.nanoTime() > deadline) return plain;
        return reluSplit(region, net64, falsifier, open, deadline, refiner(region, net64, open, deadline), Double.POSITIVE_INFINITY);
    }

    /**
     * The input split's phases: which boxes each looks ahead at, and its share of the time left when it starts. What a
     * phase leaves open the next starts over. With boxes of few unstable ReLUs decided by MIP, the usual rule alone
     * proves all of ACAS Xu's hard instances but 4_7 prop_1, which only looking ahead everywhere proves (in 4 s); looking
     * ahead first where a box stalls, the earlier first phase, left 3_3 prop_2 too little time (results/BENCHMARKS.md).
     */
    static final List<Map.Entry<InputSplit.LookAt, Double>> PHASES = phases(System.getProperty("workbench.split.phases", "NONE:0.8,ALL:1"));

    /** Phases written as {@code LOOKAT:SHARE,...} ({@code -Dworkbench.split.phases}). */
    static List<Map.Entry<InputSplit.LookAt, Double>> phases(String text) {
        List<Map.Entry<InputSplit.LookAt, Double>> out = new ArrayList<>();
        for (String part : text.split(",")) {
            String[] kv = part.trim().split(":");
            if (kv.length != 2) throw new IllegalArgumentException("workbench.split.phases: expected LOOKAT:SHARE, got '" + part + "'");
            out.add(Map.entry(InputSplit.LookAt.valueOf(kv[0].trim()), Double.parseDouble(kv[1].trim())));
        }
        return List.copyOf(out);
    }

    /** Few inputs: a search seeded from many random points, then branch and bound on the input box in {@link #PHASES}. */
    private Closed inputSplit(Property.Region region, TorchNet net64, Falsifier falsifier, long deadline) {
        for (List<LinearConstraint> conj : region.unsafe()) {
            double[] x = falsifier.search(region.lo(), region.hi(), conj, 64, 100, Integer.getInteger("workbench.split.samples", 65_536));
            if (x != null) return new Closed(false, x);
        }
        int batch = Integer.getInteger("workbench.split.batch", 256);
        InputSplit.Outcome o = null;
        for (Map.Entry<InputSplit.LookAt, Double> phase : PHASES) {
            long now = System.nanoTime();
            if (now > deadline) break;
            o = new InputSplit(net, net64, falsifier, batch, phase.getKey()).run(region.lo(), region.hi(), region.unsafe(),
                                                                          now + (long) (phase.getValue() * (deadline - now)));
            boxes += o.boxes();
            if (!o.status().equals("unknown")) break;
        }
        if (o == null) return new Closed(false, null);
        return new Closed(o.status().equals("safe"), o.x());
    }

    /** Seconds per neuron and direction for the MIP refinement of the root's bounds ({@code -Dworkbench.bab.mipRefine}; 0: off). */
    static final double REFINE_SECONDS = Double.parseDouble(System.getProperty("workbench.bab.mipRefine", "2"));

    /**
     * The share of the time left that the MIP refinement may take ({@code -Dworkbench.bab.refineShare}): on 256x4
     * prop_6_0.05 half left a gap of 0.444 at the timeout, 0.6-0.7 left 0.075-0.105 (results/BENCHMARKS.md).
     */
    static final double REFINE_SHARE = Double.parseDouble(System.getProperty("workbench.bab.refineShare", "0.6"));

    /**
     * The most the last ReLU layer's refinement may take, as a share of the time left when the refinement starts
     * ({@code -Dworkbench.bab.lastLayerShare}). Its solves run to their limit and seldom make a neuron stable (256x4
     * prop_12_0.05: 1 of 52, each bound 5-15 % tighter), while branch and bound splits those neurons cheaply: with
     * 92 s there the gap stayed 0.19 at the timeout, with 8 s it was unsat in 286.5 s (results/BENCHMARKS.md).
     */
    static final double LAST_LAYER_SHARE = Double.parseDouble(System.getProperty("workbench.bab.lastLayerShare", "0.05"));

    /** The share of the time branch and bound gets before the MIP refinement ({@code -Dworkbench.bab.plainShare}). */
    static final double PLAIN_SHARE = Double.parseDouble(System.getProperty("workbench.bab.plainShare", "0.1"));

    /**
     * The plain phase gives up at once when some conjunction's root gap exceeds this ({@code -Dworkbench.bab.plainMaxGap}):
     * no mnistfc instance it proved started above 1.47, and its share of the time then goes to the refinement.
     */
    static final double PLAIN_MAX_GAP = Double.parseDouble(System.getProperty("workbench.bab.plainMaxGap", "1.5"));

    /** Branch and bound on ReLUs; returns at once (not safe, nothing found) when a root gap exceeds {@code maxRootGap}. */
    private Closed reluSplit(Property.Region region, TorchNet net64, Falsifier falsifier, List<List<LinearConstraint>> open,
                             long deadline, BetaCrown.Refiner refiner, double maxRootGap) {
        BetaCrown bc = new BetaCrown(net64, region.lo(), region.hi(), deadline, refiner);
        List<ReluSplit> searches = new ArrayList<>();
        try {
            for (List<LinearConstraint> conj : open) {
                if (System.nanoTime() > deadline) return new Closed(false, null);
                ReluSplit search = new ReluSplit(net64, falsifier, bc, region.lo(), region.hi(), conj);
                searches.add(search);
                if (search.rootGap() > maxRootGap) return new Closed(false, null);
            }
            // The conjunctions go on together, their subdomains bounded in shared batches: a counterexample may sit in
            // any of them, and a search stuck on one must not starve the others.
            ReluSplit.Outcome o = ReluSplit.runTogether(searches, bc, 2 * Integer.getInteger("workbench.bab.batch", 128), deadline);
            if (o == null) return new Closed(false, null);
            if (o.status().equals("found")) return new Closed(false, o.x());
            return new Closed(o.status().equals("safe"), null);
        } finally {
            for (ReluSplit s : searches) boxes += s.domains();
            bc.close();
        }
    }

    /** The conjunctions that CROWN over the whole box cannot rule out. */
    private static List<List<LinearConstraint>> openConjunctions(Property.Region region, TorchNet net64) {
        List<List<LinearConstraint>> open = new ArrayList<>();
        for (List<LinearConstraint> conj : region.unsafe()) {
            double[][] rows = new double[conj.size()][];
            for (int r = 0; r < rows.length; r++) {
                rows[r] = conj.get(r).coef().clone();
                for (int k = 0; k < rows[r].length; k++) rows[r][k] = -rows[r][k];
            }
            double[] up = NeuronBounds.upper(net64, new double[][] {region.lo()}, new double[][] {region.hi()}, rows, NeuronBounds.Method.CROWN)[0];
            boolean impossible = false;
            for (int r = 0; r < rows.length; r++) if (impossible(-up[r], conj.get(r).rhs())) impossible = true;
            if (!impossible) open.add(conj);
        }
        return open;
    }

    /**
     * MIP refinement of the root's intermediate bounds before branch and bound on ReLUs: at most
     * {@link #REFINE_SECONDS} per neuron and direction, within {@link #REFINE_SHARE} of the time left.
     */
    private BetaCrown.Refiner refiner(Property.Region region, TorchNet net64, List<List<LinearConstraint>> open, long deadline) {
        double seconds = REFINE_SECONDS;
        long left = deadline - System.nanoTime(), until = System.nanoTime() + (long) (REFINE_SHARE * left);
        return (k, lo, hi) -> {
            long t0 = System.nanoTime();
            // Layers in order, each as far as the time goes: a refined layer tightens the next one's alpha-CROWN bounds
            // more than equal shares per layer gain on the last (measured in results/BENCHMARKS.md).
            long stop = lastRelu(k) ? Math.min(until, t0 + (long) (LAST_LAYER_SHARE * left)) : until;
            int n = NeuronRefinement.refineLayer(net, net64, region.lo(), region.hi(), lo, hi, k, seconds, stop, Workers.THREADS,
                                                 specWeights(k, open));
            if (Boolean.getBoolean("workbench.bab.debug")) System.err.printf("bab: layer %d: %d neurons refined by MIP in %.1f s%n", k, n, (System.nanoTime() - t0) / 1e9);
        };
    }

    /** Whether layer k is the last ReLU layer, the one only the output layer follows. */
    private boolean lastRelu(int k) {
        return k + 2 == net.layers().size();
    }

    /**
     * For the last ReLU layer, how much each neuron's output moves the open constraints: the largest |c·W[:, j]| over
     * their rows c, with W the output layer's weights. Its looseness costs the final bound in that proportion, so its
     * refinement comes first when time runs out (measured in results/BENCHMARKS.md). Null for earlier layers.
     */
    private double[] specWeights(int k, List<List<LinearConstraint>> open) {
        if (!lastRelu(k) || !(net.layers().get(k + 1) instanceof org.workbench.net.Linear out)) return null;
        double[] w = new double[out.in()];
        for (List<LinearConstraint> conj : open)
            for (LinearConstraint c : conj)
                for (int j = 0; j < w.length; j++) {
                    double s = 0;
                    for (int o = 0; o < out.out(); o++) s += c.coef()[o] * out.w(o, j);
                    w[j] = Math.max(w[j], Math.abs(s));
                }
        return w;
    }

    /**
     * Whether a constraint c·y <= rhs cannot hold, given a sound lower bound of c·y: only with a margin that covers
     * float64 rounding in the bound propagation.
     */
    static boolean impossible(double lowerOfLhs, double rhs) {
        return lowerOfLhs > rhs + 1e-9 * (1 + Math.abs(rhs));
    }

    private Verdict sat(double[] x, TorchNet net64, long start, String method) {
        double[] y = net64.logits(new double[][] {x})[0];
        if (!property.violatedBy(x, y, 0)) throw new IllegalStateException("counterexample failed its own re-check");
        return new Verdict("sat", x, y, (System.nanoTime() - start) / 1e9, method);
    }
}
