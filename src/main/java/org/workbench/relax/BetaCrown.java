package org.workbench.relax;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.workbench.solve.NonFinite;
import org.workbench.net.Layer;
import org.workbench.net.Relu;
import org.workbench.net.TorchNet;

/**
 * Bounds over subdomains of one input box cut by ReLU splits, for branch and bound on neurons (beta-CROWN). A
 * subdomain fixes some unstable ReLU inputs z_j to be >= 0 (active) or <= 0 (inactive). Its bound back-substitutes
 * with those neurons' relaxations made exact (their bounds clamped at 0) and adds each split as a Lagrangian term
 * beta_j·s_j·z_j, which is >= 0 on the subdomain for any beta_j >= 0, so every beta keeps the bound sound; the lower
 * slopes alpha of the other unstable neurons and the betas are optimized by Adam per subdomain and row (in float32),
 * and the bound of the best iterate, re-evaluated in float64, is kept. Intermediate bounds are the root box's
 * (alpha-)CROWN bounds, clamped by each split ({@link SubdomainTensors}).
 */
public final class BetaCrown {
    /** Neuron {@code neuron} of the input of layer {@code layer} (a ReLU) fixed to be >= 0 or <= 0. */
    public record Split(int layer, int neuron, boolean active) {}

    /** A subdomain: its splits, and warm starts from its parent (null for none): alpha per ReLU neuron and row, beta per split and row. */
    public record Domain(List<Split> splits, float[] alpha, float[] beta) {}

    /**
     * A bounded subdomain: {@code upper[r]} bounds rows[r]·output from above over it; the optimized alpha and beta
     * (warm starts for its children); the unstable neuron to split next (null when none is left); and the box
     * corner that maximizes the linear bound of its weakest row, a cheap candidate counterexample.
     */
    public record Bounded(double[] upper, float[] alpha, float[] beta, Split branch, double[] candidate) {}

    final TorchNet net;
    final Propagation prop;
    final List<Layer> layers;
    /** The shapes of the network's values, for the joins of the backward walk. */
    private final List<int[]> shapes;
    private final double[] lo, hi;
    final List<double[]> rootLo = new ArrayList<>(), rootHi = new ArrayList<>();
    final List<NDArray[]> rootBounds;
    final SubdomainTensors.Root root;
    final NDManager manager;
    final List<NDList> params64, params32 = new ArrayList<>();
    /** The box every subdomain shares, in float64 and in the search's type, made once. */
    private final Region shared64, sharedSearch;

    /** Root bounds over the box [lo, hi], shared by every specification bounded on it. Call {@link #close()} when done. */
    public BetaCrown(TorchNet net64, double[] lo, double[] hi) {
        this(net64, lo, hi, Long.MAX_VALUE, null);
    }

    /**
     * Tightens, in place, the root bounds of ReLU layer {@code layer}'s input: lo.get(i), hi.get(i) are every layer's
     * input bounds (flat), those before {@code layer} final. Called after alpha-CROWN, before the next layer's.
     */
    public interface Refiner {
        void refine(int layer, List<double[]> lo, List<double[]> hi);
    }

    /**
     * As above; past {@code deadlineNanos} (System.nanoTime()) the remaining layers keep CROWN's bounds, which
     * {@code refiner} (null: none) may tighten further.
     */
    public BetaCrown(TorchNet net64, double[] lo, double[] hi, long deadlineNanos, Refiner refiner) {
        this(net64, lo, hi, deadlineNanos, refiner, DEFAULT_INTERMEDIATE_ITERATIONS, EarlyStop.DEFAULT_PATIENCE, Branching.BABSR);
    }

    /**
     * As above, with at most {@code intermediateIterations} Adam steps per layer on the root's intermediate slopes (0:
     * CROWN's bounds), a layer's search ended after {@code patience} steps without a smaller summed bound ({@link
     * EarlyStop}; 0: never), and the given branching rule.
     */
    public BetaCrown(TorchNet net64, double[] lo, double[] hi, long deadlineNanos, Refiner refiner, int intermediateIterations,
                     int patience, Branching branching) {
        this(net64, lo, hi, null, deadlineNanos, refiner, intermediateIterations, patience, branching);
    }

    /**
     * As above, starting from CROWN's bounds of every value over this box when already computed ({@code crown}, as
     * {@link NeuronBounds} gives them; null: computed here): the verifier's first CROWN pass is this one.
     */
    public BetaCrown(TorchNet net64, double[] lo, double[] hi, NeuronBounds.Layers crown, long deadlineNanos, Refiner refiner,
                     int intermediateIterations, int patience, Branching branching) {
        if (refiner != null && !net64.network().isChain())
            throw new IllegalArgumentException("MIP refinement of root bounds walks chains only; this network has branches");
        this.intermediateIterations = intermediateIterations;
        this.patience = patience;
        this.branching = branching;
        this.net = net64;
        this.prop = new Propagation(net64);
        this.layers = net64.network().layers();
        this.shapes = net64.network().shapes();
        this.lo = lo.clone();
        this.hi = hi.clone();
        this.manager = net64.manager().newSubManager();
        params64 = net64.params();
        for (NDList p : params64) {
            NDList q = new NDList();
            for (NDArray x : p) q.add(x.toType(DataType.FLOAT32, false));
            params32.add(q);
        }
        Region box = Region.boxes(manager, new double[][] {lo}, new double[][] {hi}, net64.batchShape(1).getShape());
        rootBounds = new ArrayList<>();
        List<NDArray[]> values = crown == null ? prop.crown(box, manager, 512) : new ArrayList<>();
        for (int v = 0; crown != null && v < crown.lo().size(); v++) {
            long[] dims = new long[shapes.get(v).length + 1];
            dims[0] = 1;
            for (int k = 1; k < dims.length; k++) dims[k] = shapes.get(v)[k - 1];
            Shape sh = new Shape(dims);
            values.add(new NDArray[] {manager.create(crown.lo().get(v), sh), manager.create(crown.hi().get(v), sh)});
        }
        // Subdomains keep, per layer, the bounds of the value it reads: in a graph a ReLU need not read the layer before.
        for (int i = 0; i < layers.size(); i++) {
            rootBounds.add(values.get(prop.in(i)));
            rootLo.add(rootBounds.get(i)[0].toDoubleArray());
            rootHi.add(rootBounds.get(i)[1].toDoubleArray());
        }
        this.root = SubdomainTensors.Root.of(layers, rootBounds, rootLo, rootHi);
        shared64 = Region.sharedBox(manager, lo, hi, net64.batchShape(1).getShape());
        sharedSearch = SEARCH_TYPE == DataType.FLOAT64 ? shared64 : shared64.as(SEARCH_TYPE);
        if (intermediateIterations > 0) new RootAlpha(this).tighten(box, deadlineNanos, refiner);
    }

    /** Adam steps per layer on the slopes for the intermediate bounds at the root (alpha-CROWN); 0 keeps CROWN's. */
    public static final int DEFAULT_INTERMEDIATE_ITERATIONS = 20;
    final int intermediateIterations;
    final int patience;
    private final Branching branching;

    /** The root's bounds {lower, upper} on layer {@code layer}'s input (flat copies): what every subdomain starts from. */
    double[][] rootBounds(int layer) {
        return new double[][] {rootLo.get(layer).clone(), rootHi.get(layer).clone()};
    }

    /** Unstable ReLU neurons at the root: those the splits can choose from. */
    public int unstableAtRoot() {
        int n = 0;
        for (int i = 0; i < layers.size(); i++) {
            if (!(layers.get(i) instanceof Relu)) continue;
            for (int j = 0; j < rootLo.get(i).length; j++) if (rootLo.get(i)[j] < 0 && rootHi.get(i)[j] > 0) n++;
        }
        return n;
    }

    /**
     * Bounds rows[r]·output over each of a batch of subdomains, with {@code iterations} Adam steps on alpha and
     * beta. Warm starts must come from bounds of the same rows.
     */
    public List<Bounded> bound(List<Domain> domains, double[][] rows, int iterations, double lrAlpha, double lrBeta) {
        return bound(domains, java.util.Collections.nCopies(domains.size(), rows), iterations, lrAlpha, lrBeta);
    }

    /**
     * As {@link #bound(List, double[][], int, double, double)} with each subdomain's own rows (the same number for
     * all): subdomains of different specifications over the same box share one batch.
     */
    public List<Bounded> bound(List<Domain> domains, List<double[][]> rowsPer, int iterations, double lrAlpha, double lrBeta) {
        int b = domains.size(), s = rowsPer.get(0).length;
        try (NDManager m = manager.newSubManager()) {
            int outs = rowsPer.get(0)[0].length;
            double[] spec = new double[b * s * outs];
            for (int d = 0; d < b; d++) {
                if (rowsPer.get(d).length != s) throw new IllegalArgumentException("subdomains of one batch need as many rows each");
                for (int r = 0; r < s; r++) System.arraycopy(rowsPer.get(d)[r], 0, spec, (d * s + r) * outs, outs);
            }
            // The slopes and multipliers are searched in SEARCH_TYPE (float32: 1.37x the subdomains a minute on mnistfc);
            // the bound reported is a float64 pass with each row's best iterate; any slopes in [0, 1] and multipliers
            // >= 0 give a sound bound, so the search's rounding cannot make it unsound.
            SubdomainTensors t64 = new SubdomainTensors(m, root, domains, s);
            SubdomainTensors t = SEARCH_TYPE == DataType.FLOAT64 ? t64 : t64.as(SEARCH_TYPE, m);
            BestIterate best = new BestIterate(m, b * s, t.alpha, t.beta);
            Adam adamAlpha = new Adam(m, t.alpha, lrAlpha), adamBeta = new Adam(m, t.beta, lrBeta);
            List<NDArray> reluCoef = new ArrayList<>();
            NDArray inCoef = null;
            for (int it = 0; it <= iterations; it++) {
                try (NDManager sm = m.newSubManager()) {
                    // Created here so that the back-substitution's tensors belong to this step's manager.
                    NDArray specT = sm.create(spec, new Shape(b, s, outs)).toType(SEARCH_TYPE, false);
                    boolean step = it < iterations;
                    for (NDArray a : t.alpha) if (a != null) a.setRequiresGradient(step);
                    for (NDArray a : t.beta) if (a != null) a.setRequiresGradient(step);
                    NDArray[] r;
                    try (ThreadGradients gc = new ThreadGradients()) {
                        // The last iterate's coefficients name the branch and the candidate corner: no bound rests on them.
                        r = pass(specT, t, sharedSearch, step ? null : reluCoef, layers.size(), params(SEARCH_TYPE));
                        if (step) gc.backward(r[0].sum());
                    }
                    best.offer(r[0].stopGradient().toType(DataType.FLOAT64, false).toDoubleArray(), t.alpha, t.beta);
                    if (step) {
                        adamAlpha.step(it + 1, true);
                        adamBeta.step(it + 1, false);
                    } else {
                        inCoef = kept(r[1], m);
                        reluCoef.replaceAll(x -> x == null ? null : kept(x, m));
                    }
                }
            }
            // The last iterate seeds the children (the search goes on from where it stopped); the best iterate,
            // re-evaluated in float64 when searched in float32, gives the bound.
            SubdomainTensors last = t;
            double[] upper = best.values();
            if (SEARCH_TYPE != DataType.FLOAT64) {
                List<NDArray> a = new ArrayList<>(), be = new ArrayList<>();
                for (NDArray x : t.alpha) a.add(x == null ? null : x.stopGradient().toType(DataType.FLOAT64, false));
                for (NDArray x : t.beta) be.add(x == null ? null : x.stopGradient().toType(DataType.FLOAT64, false));
                last = t64.withParams(a, be);
                List<NDArray> ab = new ArrayList<>(t64.alpha), bb = new ArrayList<>(t64.beta);
                best.install(m, ab, bb);
                upper = pass(m.create(spec, new Shape(b, s, outs)), t64.withParams(ab, bb), shared64, null, layers.size(), params64)[0]
                        .toDoubleArray();
            }
            List<List<Split>> candidates = new ArrayList<>();
            List<Bounded> out = results(domains, s, last, upper, reluCoef, inCoef, candidates);
            return branching.tried() > 1 ? tryCandidates(domains, spec, s, outs, out, candidates) : out;
        }
    }

    /** x in float64, detached and kept in {@code m} (past the step's manager). */
    private static NDArray kept(NDArray x, NDManager m) {
        NDArray y = x.stopGradient().toType(DataType.FLOAT64, true);
        y.attach(m);
        return y;
    }

    List<NDList> params(DataType type) {
        return type == DataType.FLOAT64 ? params64 : params32;
    }

    /** The type the slopes and multipliers are searched in; the final bound is re-evaluated in float64. */
    static final DataType SEARCH_TYPE = DataType.FLOAT32;

    /**
     * One back-substitution from value {@code from} (the output at layers.size()): {upper bounds [B, S], input
     * coefficients}; fills coefficients on ReLU outputs when asked. The walk over the wiring is {@link GraphWalk}'s.
     */
    NDArray[] pass(NDArray spec, SubdomainTensors t, Region region, List<NDArray> reluCoef, int from, List<NDList> params) {
        if (reluCoef != null) {
            reluCoef.clear();
            for (int i = 0; i < layers.size(); i++) reluCoef.add(null);
        }
        NDArray[] walked = GraphWalk.backward(net.network(), shapes, spec, from, (i, lambda) -> {
            if (reluCoef != null && layers.get(i) instanceof Relu) reluCoef.set(i, lambda.stopGradient());
            NDArray[] res = t.lines.get(i) != null ? Relu.backward(lambda, t.lines.get(i), t.denseAlpha(i))
                    : layers.get(i).backward(lambda, params.get(i), t.lo.get(i), t.hi.get(i), t.denseAlpha(i));
            // A split's multiplier adds its term to the coefficients on the ReLU's input.
            return t.beta.get(i) == null ? res : new NDArray[] {res[0].add(t.denseBeta(i).mul(t.sign.get(i))), res[1]};
        });
        NDArray onInput = walked[0], offset = walked[1];
        return new NDArray[] {offset == null ? region.maximize(onInput) : region.maximize(onInput).add(offset), onInput.stopGradient()};
    }

    private List<Bounded> results(List<Domain> domains, int s, SubdomainTensors t, double[] best, List<NDArray> reluCoef, NDArray inCoef,
                                  List<List<Split>> candidates) {
        int b = domains.size(), d = lo.length, alphaSize = s * root.total();
        float[] alphaAll = new float[b * alphaSize];
        List<double[]> coef = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            coef.add(reluCoef.get(i) == null ? null : reluCoef.get(i).toDoubleArray());
            if (t.alpha.get(i) == null) continue;
            float[] a = t.alpha.get(i).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
            int per = a.length / b;
            for (int k = 0; k < b; k++) System.arraycopy(a, k * per, alphaAll, k * alphaSize + s * root.offset()[i], per);
        }
        List<double[]> betas = new ArrayList<>();
        for (NDArray x : t.beta) betas.add(x == null ? null : x.toDoubleArray());
        double[] in = inCoef.toDoubleArray();
        List<Bounded> out = new ArrayList<>();
        for (int k = 0; k < b; k++) {
            double[] upper = new double[s];
            System.arraycopy(best, k * s, upper, 0, s);
            int weakest = 0;
            for (int r = 1; r < s; r++) if (upper[r] < upper[weakest]) weakest = r;
            float[] alpha = new float[alphaSize];
            System.arraycopy(alphaAll, k * alphaSize, alpha, 0, alphaSize);
            List<Split> splits = domains.get(k).splits();
            float[] beta = new float[splits.size() * s];
            for (int q = 0; q < splits.size(); q++) {
                Split sp = splits.get(q);
                int n = root.size(sp.layer()), at = root.slot(sp.layer(), sp.neuron());
                for (int r = 0; r < s; r++) beta[q * s + r] = (float) betas.get(sp.layer())[(k * s + r) * n + at];
            }
            double[] x = new double[d];
            for (int j = 0; j < d; j++) x[j] = in[(k * s + weakest) * d + j] > 0 ? hi[j] : lo[j];
            List<Split> c = branching.candidates(layers, rootLo, k, weakest, s, t.loV, t.hiV, coef);
            candidates.add(c);
            out.add(new Bounded(upper, alpha, beta, c.isEmpty() ? null : c.get(0), x));
        }
        return out;
    }

    /**
     * FSB's choice: each subdomain's candidates are tried by one bound of both children (the parent's last slopes and
     * multipliers, the new split's multiplier 0, searched type) and the candidate whose weaker child has the smallest
     * weakest-row bound replaces BaBSR's pick. Only the branch changes: the subdomains' bounds are those computed.
     * One candidate rank at a time, so a pass holds twice the batch, not 2k times (a larger one thrashed the cache).
     */
    private List<Bounded> tryCandidates(List<Domain> domains, double[] spec, int s, int outs, List<Bounded> out, List<List<Split>> candidates) {
        int b = domains.size();
        double[][] worse = new double[b][];
        for (int k = 0; k < b; k++) {
            worse[k] = new double[candidates.get(k).size()];
            java.util.Arrays.fill(worse[k], Double.NEGATIVE_INFINITY);
        }
        for (int c = 0; c < branching.tried(); c++) {
            List<Domain> kids = new ArrayList<>();
            List<Integer> owner = new ArrayList<>();
            for (int k = 0; k < b; k++) {
                if (candidates.get(k).size() < 2 || c >= candidates.get(k).size()) continue;
                Split sp = candidates.get(k).get(c);
                for (boolean active : new boolean[] {true, false}) {
                    List<Split> splits = new ArrayList<>(domains.get(k).splits());
                    splits.add(new Split(sp.layer(), sp.neuron(), active));
                    kids.add(new Domain(splits, out.get(k).alpha(), out.get(k).beta()));
                    owner.add(k);
                }
            }
            if (kids.isEmpty()) break;
            double[] v;
            try (NDManager m = manager.newSubManager()) {
                double[] kidSpec = new double[kids.size() * s * outs];
                for (int q = 0; q < kids.size(); q++) System.arraycopy(spec, owner.get(q) * s * outs, kidSpec, q * s * outs, s * outs);
                SubdomainTensors t64 = new SubdomainTensors(m, root, kids, s);
                SubdomainTensors t = SEARCH_TYPE == DataType.FLOAT64 ? t64 : t64.as(SEARCH_TYPE, m);
                NDArray specT = m.create(kidSpec, new Shape(kids.size(), s, outs)).toType(SEARCH_TYPE, false);
                v = pass(specT, t, sharedSearch, null, layers.size(), params(SEARCH_TYPE))[0].toType(DataType.FLOAT64, false).toDoubleArray();
            }
            for (int q = 0; q < kids.size(); q++) {
                int k = owner.get(q);
                double weakest = Double.POSITIVE_INFINITY;
                for (int r = 0; r < s; r++) weakest = Math.min(weakest, Math.min(v[q * s + r], out.get(k).upper()[r]));
                worse[k][c] = Math.max(worse[k][c], weakest); // a NaN child stays NaN and never wins below
            }
        }
        List<Bounded> chosen = new ArrayList<>(out);
        for (int k = 0; k < b; k++) {
            List<Split> c = candidates.get(k);
            if (c.size() < 2) continue;
            int pick = 0;
            for (int q = 1; q < c.size(); q++) if (worse[k][q] < worse[k][pick]) pick = q; // ties keep BaBSR's order
            Bounded d = out.get(k);
            chosen.set(k, new Bounded(d.upper(), d.alpha(), d.beta(), c.get(pick), d.candidate()));
        }
        return chosen;
    }

    public void close() {
        manager.close();
    }
}
