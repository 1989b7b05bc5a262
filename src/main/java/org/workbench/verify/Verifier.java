package org.workbench.verify;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
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

    private final Network net;
    private final Property property;
    private final VerifySettings settings;
    private final Device device;
    private long boxes;
    /** Per conjunction of the last region worked on, a proven upper bound of how far it can be met (see {@link #provenBounds}). */
    private double[] proven = new double[0];

    /** With the tuned defaults ({@link VerifySettings#DEFAULTS}). */
    public Verifier(Network net, Property property) {
        this(net, property, VerifySettings.DEFAULTS);
    }

    /** On the CPU. */
    public Verifier(Network net, Property property, VerifySettings settings) {
        this(net, property, settings, Device.cpu());
    }

    /** With every tensor of the run (falsification, bounds, branch and bound batches) on the given device. */
    public Verifier(Network net, Property property, VerifySettings settings, Device device) {
        this.net = net;
        this.property = property;
        this.settings = settings;
        this.device = device;
    }

    /**
     * After {@link #run}, for each conjunction of the property's last region (in order), a proven upper bound over the
     * region's box of min over its constraints of (rhs - c·y): below 0 means no input meets it. For a one-constraint
     * conjunction c·y <= 0 with c = e_y - e_j this bounds the margin z_j - z_y. +Infinity where nothing was proven
     * (the run stopped before bounding it), -1e-9 where a method closed it without a number (input split, MIP). Meaningful
     * for single-region properties only, which is what the {@code bab} solver builds.
     */
    public double[] provenBounds() {
        return proven.clone();
    }

    /** Subdomains (ReLU split) or boxes (input split) bounded so far. */
    public long subdomains() {
        return boxes;
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
        try (NDManager m = NDManager.newBaseManager(device);
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
            return new Verdict(allSafe ? "unsat" : "timeout", null, null, sec, net.inputSize() <= settings.inputSplitMax() ? "input-split " + boxes + " boxes"
                    : settings.complete().equals("mip") ? "crown+mip" : "relu-split " + boxes + " domains");
        }
    }

    /** Whether a box was closed (safe), or a counterexample x found in it; neither means time ran out. */
    record Closed(boolean safe, double[] x) {}

    private Closed closeRegion(Property.Region region, TorchNet net64, Falsifier falsifier, long deadline) {
        proven = new double[region.unsafe().size()];
        java.util.Arrays.fill(proven, Double.POSITIVE_INFINITY);
        List<Integer> openAt = openConjunctions(region, net64);
        List<List<LinearConstraint>> open = new ArrayList<>();
        for (int i : openAt) open.add(region.unsafe().get(i));
        if (open.isEmpty()) return new Closed(true, null);
        if (net.inputSize() <= settings.inputSplitMax()) {
            Closed r = inputSplit(region, net64, falsifier, deadline);
            if (r.safe()) closeWithoutNumber(openAt);
            return r;
        }
        // Gradients through the relaxation's slopes first: on nearly flat networks they find what plain gradients miss.
        if (settings.surrogateStarts() > 0 && !open.isEmpty() && net.isChain()) {
            double[] x = new SurrogateSearch(falsifier.net32(), net64, 1).search(region.lo(), region.hi(), open, settings.surrogateStarts(), 100);
            if (x != null) return new Closed(false, x);
        }
        // A longer search first: branch and bound proves, it rarely finds what a search from many starts finds.
        for (List<LinearConstraint> conj : open) {
            if (System.nanoTime() > deadline) return new Closed(false, null);
            double[] x = settings.searchStarts() == 0 ? null
                    : falsifier.search(region.lo(), region.hi(), conj, settings.searchStarts(), settings.searchSteps());
            if (x != null) return new Closed(false, x);
        }
        if (settings.complete().equals("mip")) {
            for (int i : openAt) {
                if (System.nanoTime() > deadline) return new Closed(false, null);
                Closed r = MipStep.decide(net, net64, region.lo(), region.hi(), region.unsafe().get(i), deadline, settings.mipBackend());
                if (!r.safe()) return r;
                closeWithoutNumber(List.of(i));
            }
            return new Closed(true, null);
        }
        // MIP refinement of root bounds cuts the network at a layer, which only a chain allows.
        if (!(settings.refineSeconds() > 0) || !net.isChain()) return reluSplit(region, net64, falsifier, openAt, deadline, null, Double.POSITIVE_INFINITY);
        // Branch and bound alone first: what it closes at all it mostly closes in seconds, while refining the root's
        // bounds by MIP costs tens of seconds; what it leaves open starts over from the refined bounds. Its subdomains'
        // corners also find counterexamples that the searches miss (256x4 prop_1_0.05 without the surrogate search:
        // 12.3 s with this phase, 190.7 s without it). A root gap past plain_max_gap skips the phase: none it proved
        // started there, and the counterexamples it found there the surrogate search now finds first (in about 5 s).
        long now = System.nanoTime();
        Closed plain = reluSplit(region, net64, falsifier, openAt, now + (long) (settings.plainShare() * (deadline - now)), null, settings.plainMaxGap());
        if (plain.safe() || plain.x() != null || System.nanoTime() > deadline) return plain;
        return reluSplit(region, net64, falsifier, openAt, deadline, refiner(region, net64, open, deadline), Double.POSITIVE_INFINITY);
    }

    /**
     * Few inputs: a search seeded from many random points, then branch and bound on the input box in the settings'
     * phases, each with its share of the time; what a phase leaves open the next starts over. With boxes of few unstable
     * ReLUs decided by MIP, the usual rule alone proves all of ACAS Xu's hard instances but 4_7 prop_1, which only
     * looking ahead everywhere proves (in 4 s); looking ahead first where a box stalls left 3_3 prop_2 too little time.
     */
    private Closed inputSplit(Property.Region region, TorchNet net64, Falsifier falsifier, long deadline) {
        for (List<LinearConstraint> conj : region.unsafe()) {
            double[] x = falsifier.search(region.lo(), region.hi(), conj, 64, 100, settings.splitSamples());
            if (x != null) return new Closed(false, x);
        }
        InputSplit.Outcome o = null;
        long start = System.nanoTime();
        double upTo = 0;
        for (VerifySettings.Phase phase : settings.splitPhases()) {
            upTo += phase.share();
            long now = System.nanoTime();
            if (now > deadline) break;
            long phaseEnd = phase == settings.splitPhases().get(settings.splitPhases().size() - 1) && upTo > 1 - 1e-9
                    ? deadline : start + (long) (upTo * (deadline - start));
            o = new InputSplit(net, net64, falsifier, settings, phase.lookAt()).run(region.lo(), region.hi(), region.unsafe(), phaseEnd);
            boxes += o.boxes();
            if (!o.status().equals("unknown")) break;
        }
        if (o == null) return new Closed(false, null);
        return new Closed(o.status().equals("safe"), o.x());
    }

    /** Branch and bound on ReLUs; returns at once (not safe, nothing found) when a root gap exceeds {@code maxRootGap}. */
    private Closed reluSplit(Property.Region region, TorchNet net64, Falsifier falsifier, List<Integer> openAt,
                             long deadline, BetaCrown.Refiner refiner, double maxRootGap) {
        BetaCrown bc = new BetaCrown(net64, region.lo(), region.hi(), rootCrown, deadline, refiner, settings.intermediateIterations(), settings.patience(),
                                     settings.branching());
        List<ReluSplit> searches = new ArrayList<>();
        try {
            for (int i : openAt) {
                if (System.nanoTime() > deadline) return new Closed(false, null);
                ReluSplit search = new ReluSplit(net64, falsifier, bc, region.lo(), region.hi(), region.unsafe().get(i));
                searches.add(search);
                if (search.rootGap() > maxRootGap) return new Closed(false, null);
            }
            // The conjunctions go on together, their subdomains bounded in shared batches: a counterexample may sit in
            // any of them, and a search stuck on one must not starve the others.
            ReluSplit.Outcome o = ReluSplit.runTogether(searches, bc, 2 * settings.babBatch(), settings.babIterations(), settings.babLrAlpha(),
                    settings.babLrBeta(), deadline);
            if (o == null) return new Closed(false, null);
            if (o.status().equals("found")) return new Closed(false, o.x());
            return new Closed(o.status().equals("safe"), null);
        } finally {
            // Each search's leaves cover the box: the largest leaf bound holds, whether the search finished or not.
            for (int k = 0; k < searches.size(); k++) {
                boxes += searches.get(k).domains();
                int i = openAt.get(k);
                proven[i] = Math.min(proven[i], searches.get(k).provenBound());
            }
            bc.close();
        }
    }

    /**
     * Conjunctions ruled out by a method that gives no number (input split, MIP): each of their boxes was closed with
     * the margin {@link #impossible} demands, 1e-9 for a right-hand side of 0, so that much below 0 is proven.
     */
    private void closeWithoutNumber(List<Integer> at) {
        for (int i : at) proven[i] = Math.min(proven[i], -1e-9);
    }

    /** CROWN's bounds of every value over the region being closed, from {@link #openConjunctions}: branch and bound starts from them. */
    private NeuronBounds.Layers rootCrown;

    /**
     * The positions of the conjunctions that CROWN and IBP over the whole box cannot rule out; records their bound for
     * each (and keeps CROWN's bounds of every value in {@link #rootCrown}). All conjunctions' rows go through one CROWN pass: its intermediate bounds do not depend on the rows, and a
     * pass per conjunction recomputed them each time (a quarter of the time before branch and bound on ResNet-4B's
     * nine conjunctions).
     */
    private List<Integer> openConjunctions(Property.Region region, TorchNet net64) {
        List<double[]> all = new ArrayList<>();
        for (List<LinearConstraint> conj : region.unsafe())
            for (LinearConstraint c : conj) {
                double[] row = c.coef().clone();
                for (int k = 0; k < row.length; k++) row[k] = -row[k];
                all.add(row);
            }
        double[][] rows = all.toArray(new double[0][]);
        double[][] box = {region.lo()}, boxHi = {region.hi()};
        double[] up = new double[0], ibp = new double[0];
        rootCrown = null;
        if (rows.length > 0) {
            NeuronBounds.Layers[] crown = new NeuronBounds.Layers[1];
            up = NeuronBounds.upperAndCoefficients(net64, box, boxHi, rows, NeuronBounds.Method.CROWN, null, null, crown)[0];
            rootCrown = crown[0];
            // Interval bounds cost a forward pass and can beat CROWN's on networks trained against them (IBP training).
            ibp = NeuronBounds.upper(net64, box, boxHi, rows, NeuronBounds.Method.IBP)[0];
        }
        List<Integer> open = new ArrayList<>();
        int at = 0;
        for (int i = 0; i < region.unsafe().size(); i++) {
            List<LinearConstraint> conj = region.unsafe().get(i);
            boolean impossible = false;
            double openness = Double.POSITIVE_INFINITY;
            for (int r = 0; r < conj.size(); r++, at++) {
                double u = org.workbench.solve.NonFinite.tighterUpper(up[at], ibp[at]);
                if (impossible(-u, conj.get(r).rhs())) impossible = true;
                openness = Math.min(openness, (Double.isNaN(u) ? Double.POSITIVE_INFINITY : u) + conj.get(r).rhs());
            }
            proven[i] = Math.min(proven[i], openness);
            if (!impossible) open.add(i);
        }
        return open;
    }

    /**
     * MIP refinement of the root's intermediate bounds before branch and bound on ReLUs: at most
     * refine_seconds per neuron and direction, within refine_share of the time left.
     */
    private BetaCrown.Refiner refiner(Property.Region region, TorchNet net64, List<List<LinearConstraint>> open, long deadline) {
        double seconds = settings.refineSeconds();
        long left = deadline - System.nanoTime(), until = System.nanoTime() + (long) (settings.refineShare() * left);
        return (k, lo, hi) -> {
            long t0 = System.nanoTime();
            // Layers in order, each as far as the time goes: a refined layer tightens the next one's alpha-CROWN bounds
            // more than equal shares per layer gain on the last (measured in docs/experiments.md).
            long stop = lastRelu(k) ? Math.min(until, t0 + (long) (settings.lastLayerShare() * left)) : until;
            int n = NeuronRefinement.refineLayer(net, net64, region.lo(), region.hi(), lo, hi, k, seconds, stop, Workers.THREADS,
                                                 specWeights(k, open));
            if (org.workbench.config.Verbose.on()) System.err.printf("bab: layer %d: %d neurons refined by MIP in %.1f s%n", k, n, (System.nanoTime() - t0) / 1e9);
        };
    }

    /** Whether layer k is the last ReLU layer, the one only the output layer follows. */
    private boolean lastRelu(int k) {
        return k + 2 == net.layers().size();
    }

    /**
     * For the last ReLU layer, how much each neuron's output moves the open constraints: the largest |c·W[:, j]| over
     * their rows c, with W the output layer's weights. Its looseness costs the final bound in that proportion, so its
     * refinement comes first when time runs out (measured in docs/experiments.md). Null for earlier layers.
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
