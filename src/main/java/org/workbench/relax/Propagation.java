package org.workbench.relax;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.workbench.net.Layer;
import org.workbench.net.Relu;
import org.workbench.net.TorchNet;

/**
 * Bound propagation through a network in float64, using each layer's own interval and linear-bound rules.
 * Bounds are kept per value of the network ({@link org.workbench.net.Network}): {@code bounds.get(0)} holds {lo, hi}
 * of the input, {@code bounds.get(i + 1)} of layer i's output (batch first); in a chain, {@code bounds.get(i)} is
 * the input of layer i. Back-substitution walks the layers backwards carrying one coefficient tensor per value,
 * so residual branches are followed separately and summed where they split.
 */
final class Propagation {
    private final TorchNet net;
    private final List<Layer> layers;
    private final List<int[]> reads;
    private final List<int[]> shapes;

    Propagation(TorchNet net64) {
        this.net = net64;
        this.layers = net64.network().layers();
        this.reads = net64.network().inputs();
        this.shapes = net64.network().shapes();
    }

    /** The value layer i reads (its first, for a join). */
    int in(int i) {
        return reads.get(i)[0];
    }

    /** Interval bounds of layer i's output from the bounds of the values it reads. */
    private NDArray[] intervalOf(int i, List<NDArray[]> values) {
        int[] r = reads.get(i);
        if (r.length == 1) return layers.get(i).interval(values.get(r[0])[0], values.get(r[0])[1], net.params().get(i));
        List<NDArray[]> in = new ArrayList<>();
        for (int v : r) in.add(values.get(v));
        return layers.get(i).interval(in, net.params().get(i));
    }

    /** After value v's bounds tightened: every later value's interval bound, intersected with the one it had. */
    private void refresh(List<NDArray[]> bounds, int v) {
        for (int i = v; i < layers.size(); i++) {
            NDArray[] next = intervalOf(i, bounds), old = bounds.get(i + 1);
            bounds.set(i + 1, new NDArray[] {next[0].maximum(old[0]), next[1].minimum(old[1])});
        }
    }

    int size() {
        return layers.size();
    }

    TorchNet net() {
        return net;
    }

    /** Whether some ReLU's input bounds come from receptive-field walks ({@link PatchWalk}): convolutional networks. */
    boolean walksPatches() {
        for (int k : reluInputs()) if (PatchWalk.applies(net.network(), shapes, k)) return true;
        return false;
    }

    /**
     * A ReLU's relaxation lines for one {lo, hi} pair, computed once: every later layer's back-substitution
     * passes through them (a fifth of CROWN's time on ACAS Xu went into recomputing them). Pairs are replaced,
     * never changed, when bounds tighten, so the pair itself is the key.
     */
    private Relu.Lines lines(NDArray[] bounds) {
        return lines.computeIfAbsent(bounds, b -> Relu.lines(b[0], b[1]));
    }

    private final java.util.Map<NDArray[], Relu.Lines> lines = new java.util.IdentityHashMap<>();

    /** Interval bounds of every value: the input, then each layer's output (the network's at index size()). */
    List<NDArray[]> interval(Region region) {
        List<NDArray[]> out = new ArrayList<>();
        out.add(new NDArray[] {region.lo(), region.hi()});
        for (int i = 0; i < layers.size(); i++) out.add(intervalOf(i, out));
        return out;
    }

    /**
     * An upper bound on lambda·(value k) over the region, by back-substitution through layers k-1..0 (value k is the
     * output of layer k-1). {@code slopes.get(i)} (may be null or hold nulls) gives ReLU layer i's lower slopes.
     */
    NDArray upper(NDArray lambda, int k, List<NDArray[]> bounds, Region region, List<NDArray> slopes) {
        return upperWithInput(lambda, k, bounds, region, slopes)[0];
    }

    /** As {@link #upper}, also returning the coefficients on the input, {bound [B, S], lambdaIn [B, S, ...]}. */
    NDArray[] upperWithInput(NDArray lambda, int k, List<NDArray[]> bounds, Region region, List<NDArray> slopes) {
        NDArray[] walked = GraphWalk.backward(net.network(), shapes, lambda, k, (i, c) -> {
            NDArray slope = slopes == null ? null : slopes.get(i);
            NDArray[] b = bounds.get(in(i));
            return layers.get(i) instanceof Relu ? Relu.backward(c, lines(b), slope)
                    : layers.get(i).backward(c, net.params().get(i), b[0], b[1], slope);
        });
        NDArray onInput = walked[0], offset = walked[1];
        NDArray top = region.maximize(onInput);
        return new NDArray[] {offset == null ? top : top.add(offset), onInput};
    }

    /**
     * An upper bound on spec·(network output) from the bounds of the last layer's input: the last layer's own linear
     * rule (exact for an affine layer, so the specification is folded into it), then the box of its input. This is
     * IBP's final step; over CROWN's intermediate bounds it can beat CROWN's full back-substitution on networks
     * trained for intervals, so CROWN and alpha-CROWN keep the smaller of the two.
     */
    NDArray lastLayerBox(NDArray spec, List<NDArray[]> bounds) {
        int last = layers.size() - 1;
        if (layers.get(last).affine() && reads.get(last).length == 1) {
            NDArray[] in = bounds.get(in(last));
            NDArray[] r = layers.get(last).backward(spec, net.params().get(last), in[0], in[1], null);
            return Region.concretizeBox(r[0], in[0], in[1]).add(r[1]);
        }
        NDArray[] out = bounds.get(layers.size());
        return Region.concretizeBox(spec, out[0], out[1]);
    }

    /**
     * CROWN's layer-by-layer bounds: interval bounds everywhere, tightened at the input of every ReLU by
     * back-substitution from that point, for the neurons intervals leave unstable. The two bounds are both
     * sound, so their intersection is kept.
     */
    List<NDArray[]> crown(Region region, NDManager m, int chunk) {
        long b = region.lo().getShape().get(0);
        if (b > 1 && walksPatches()) {
            // Receptive-field walks of a batch take every sample's rows back to back, each with its own sample's bounds
            // and ReLU lines gathered: on the shipped CNN that cost 46 ms per image in batches of 8 against 29 ms one
            // at a time (bench/relax_benchmark.sh), so convolutional networks get their bounds sample by sample.
            List<List<NDArray[]>> per = new ArrayList<>();
            for (int s = 0; s < b; s++) per.add(new Propagation(net).crownOf(region.slice(s), m, chunk));
            List<NDArray[]> out = new ArrayList<>();
            for (int v = 0; v < per.get(0).size(); v++) {
                ai.djl.ndarray.NDList lo = new ai.djl.ndarray.NDList(), hi = new ai.djl.ndarray.NDList();
                for (List<NDArray[]> p : per) {
                    lo.add(p.get(v)[0]);
                    hi.add(p.get(v)[1]);
                }
                out.add(new NDArray[] {ai.djl.ndarray.NDArrays.concat(lo), ai.djl.ndarray.NDArrays.concat(hi)});
            }
            return out;
        }
        return crownOf(region, m, chunk);
    }

    private List<NDArray[]> crownOf(Region region, NDManager m, int chunk) {
        List<NDArray[]> bounds = interval(region);
        for (int v : reluInputs()) {
            if (onlyAffineBefore(v) && region.norm() == org.workbench.problem.Norm.LINF) continue; // intervals are exact there
            bounds.set(v, tighten(v, bounds.get(v)[0], bounds.get(v)[1], bounds, region, m, chunk));
            refresh(bounds, v); // later values' intervals follow from the tightened ones
        }
        return bounds;
    }

    /**
     * {@link #crown}'s bounds as tensor operations only, so that training can differentiate them: every neuron of a
     * ReLU input gets its two rows at once (no chunks, no copies to Java arrays), and CROWN's bound replaces the
     * interval bound where the interval leaves the neuron unstable, as {@link #crown} does. Memory grows with the
     * batch times twice the neurons times the widest earlier layer, so it suits small networks; past
     * {@code maxElements} coefficients it throws.
     */
    List<NDArray[]> crownWithGradients(Region region, long maxElements) {
        List<NDArray[]> bounds = interval(region);
        for (int k : reluInputs()) {
            if (onlyAffineBefore(k) && region.norm() == org.workbench.problem.Norm.LINF) continue;
            NDArray lo = bounds.get(k)[0], hi = bounds.get(k)[1];
            long b = lo.getShape().get(0), n = layerSize(k), widest = 1;
            for (int i = 0; i < k; i++) widest = Math.max(widest, layerSize(i));
            if (b * 2 * n * widest > maxElements)
                throw new IllegalArgumentException("full CROWN bounds of layer " + k + " need " + b * 2 * n * widest
                        + " coefficients at this batch, over " + maxElements + "; use crown-ibp or a smaller batch");
            long[] shape = lo.getShape().getShape();
            long[] rows = new long[shape.length + 1];
            rows[0] = b;
            rows[1] = 2 * n;
            System.arraycopy(shape, 1, rows, 2, shape.length - 1);
            NDManager m = lo.getManager();
            NDArray eye = m.eye((int) n).toType(lo.getDataType(), false);
            NDArray both = eye.concat(eye.neg(), 0).expandDims(0).repeat(0, b).reshape(new Shape(rows));
            NDArray up = upper(both, k, bounds, region, null);
            NDArray upHi = up.get(":, :" + n).reshape(lo.getShape()), upLo = up.get(":, " + n + ":").neg().reshape(lo.getShape());
            NDArray unstable = lo.lt(0).logicalAnd(hi.gt(0)).toType(lo.getDataType(), false);
            NDArray newHi = hi.sub(hi.sub(upHi).maximum(0).mul(unstable));
            NDArray newLo = lo.add(upLo.sub(lo).maximum(0).mul(unstable));
            bounds.set(k, new NDArray[] {newLo, newHi});
            refresh(bounds, k);
        }
        return bounds;
    }

    /** The values ReLUs read, in order, without the network input (its bounds are the region itself). */
    List<Integer> reluInputs() {
        java.util.TreeSet<Integer> v = new java.util.TreeSet<>();
        for (int i = 0; i < layers.size(); i++) if (layers.get(i) instanceof Relu && in(i) > 0) v.add(in(i));
        return List.copyOf(v);
    }

    private boolean onlyAffineBefore(int k) {
        for (int i = 0; i < k; i++) if (!layers.get(i).affine()) return false;
        return true;
    }

    /**
     * Bounds of the input of layer k from identity specifications (+e_j and -e_j) on each sample's neurons that
     * intervals leave unstable, in chunks. Receptive-field walks, and whole-layer walks where padding would add over a
     * quarter, take the rows of all samples back to back, each with its own sample's bounds; otherwise each sample's
     * rows form a batch entry, padded with zero rows to the sample with most (on 8 digits of the shipped CNN that
     * padding was 52 % and 69 % of the rows of its two tightened layers).
     */
    private NDArray[] tighten(int k, NDArray lo, NDArray hi, List<NDArray[]> bounds, Region region, NDManager m, int chunk) {
        int b = (int) lo.getShape().get(0);
        long[] shape = lo.getShape().getShape();
        int n = (int) (lo.getShape().size() / b);
        double[] loV = lo.toDoubleArray(), hiV = hi.toDoubleArray();
        double[] newLo = loV.clone(), newHi = hiV.clone();
        List<Integer> sampleOf = new ArrayList<>(), neuronOf = new ArrayList<>();
        for (int s = 0; s < b; s++)
            for (int j = 0; j < n; j++)
                if (loV[s * n + j] < 0 && hiV[s * n + j] > 0) {
                    sampleOf.add(s);
                    neuronOf.add(j);
                }
        // Coefficient tensors hold 2 rows per neuron x (a layer's size) doubles on the way back, so rows go in chunks.
        boolean patches = PatchWalk.applies(net.network(), shapes, k);
        long widest = 1;
        for (int i = 0; i < k; i++) widest = Math.max(widest, layerSize(i));
        if (patches) widest = PatchWalk.rowSize(net.network(), shapes, k);
        // Wide layers are bound by memory: chunks of 4 MB stay in cache (mnist-net_256x2 batched: 11.0 -> 4.7 ms per
        // image). Narrow ones (ACAS Xu's 50 neurons, hundreds of boxes) are bound by the calls: 32 MB chunks, fewer walks.
        long cap = patches || widest > 512 ? 1L << 19 : 1L << 22;
        int total = neuronOf.size(), most = 0;
        int[] count = new int[b];
        for (int s : sampleOf) most = Math.max(most, ++count[s]);
        // Whole-layer rows with little padding, or on narrow layers, keep each sample's bounds shared by its rows: the
        // per-row copies of them and of the ReLU lines cost more there than the padding saves (ACAS Xu 2_8 prop_1, 128
        // boxes per walk: 52 s back to back against 39 s padded).
        if (!patches && (b == 1 || widest <= 512 || (long) b * most <= 1.25 * total)) {
            padded(k, sampleOf, neuronOf, most, (int) Math.max(1, Math.min(chunk, cap / (2L * b * widest))), n, shape, bounds, region, m, newLo, newHi);
            return new NDArray[] {m.create(newLo, new Shape(shape)), m.create(newHi, new Shape(shape))};
        }
        int step = (int) Math.max(1, Math.min((long) chunk * b, cap / (2L * widest)));
        for (int from = 0; from < total; from += step) {
            int q = Math.min(step, total - from);
            int[] sample = new int[2 * q], neuron = new int[2 * q];
            double[] sign = new double[2 * q];
            for (int r = 0; r < q; r++) {
                sample[r] = sample[q + r] = sampleOf.get(from + r);
                neuron[r] = neuron[q + r] = neuronOf.get(from + r);
                sign[r] = 1;
                sign[q + r] = -1;
            }
            try (NDManager sm = m.newSubManager()) {
                double[] up = patches ? PatchWalk.upper(sm, this, net.network(), shapes, bounds, region, k, sample, neuron, sign).toDoubleArray()
                        : rowsUpper(sm, k, sample, neuron, sign, n, shape, bounds, region);
                for (int r = 0; r < q; r++) {
                    int j = sample[r] * n + neuron[r];
                    newHi[j] = Math.min(newHi[j], up[r]);
                    newLo[j] = Math.max(newLo[j], -up[q + r]);
                }
            }
        }
        Shape s = new Shape(shape);
        return new NDArray[] {m.create(newLo, s), m.create(newHi, s)};
    }

    /**
     * Upper bounds of sign·(neuron) for flat rows by back-substitution through the whole layers, as a batch of rows:
     * each row carries its sample's bounds and region (gathered; values shared by the batch are kept as they are).
     */
    private double[] rowsUpper(NDManager sm, int k, int[] sample, int[] neuron, double[] sign, int n, long[] shape,
                               List<NDArray[]> bounds, Region region) {
        int rows = neuron.length;
        double[] eye = new double[rows * n];
        for (int r = 0; r < rows; r++) eye[r * n + neuron[r]] = sign[r];
        long[] ls = new long[shape.length + 1];
        ls[0] = rows;
        ls[1] = 1;
        System.arraycopy(shape, 1, ls, 2, shape.length - 1);
        NDArray lambda = sm.create(eye, new Shape(ls));
        long[] index = new long[rows];
        for (int r = 0; r < rows; r++) index[r] = sample[r];
        NDArray idx = sm.create(index);
        List<NDArray[]> own = new ArrayList<>(bounds.size());
        for (int v = 0; v < bounds.size(); v++)
            own.add(v < k ? new NDArray[] {rowsOf(bounds.get(v)[0], idx), rowsOf(bounds.get(v)[1], idx)} : null);
        Region r = region.radius() != null ? region
                : new Region(rowsOf(region.center(), idx), rowsOf(region.lo(), idx), rowsOf(region.hi(), idx), null, region.norm(), region.eps());
        try {
            return upper(lambda, k, own, r, null).toDoubleArray();
        } finally {
            for (NDArray[] o : own) if (o != null) lines.remove(o); // this chunk's own bounds, freed with it
        }
    }

    /**
     * The rows of each sample ({@code most} at most) as a batch [B, 2·rows] per chunk, +e_j then -e_j, samples with
     * fewer unstable neurons padded with zero rows; results into newLo / newHi.
     */
    private void padded(int k, List<Integer> sampleOf, List<Integer> neuronOf, int most, int step, int n, long[] shape,
                        List<NDArray[]> bounds, Region region, NDManager m, double[] newLo, double[] newHi) {
        int b = (int) shape[0];
        int[][] of = new int[b][most];
        int[] count = new int[b];
        for (int i = 0; i < sampleOf.size(); i++) of[sampleOf.get(i)][count[sampleOf.get(i)]++] = neuronOf.get(i);
        for (int from = 0; from < most; from += step) {
            int rows = Math.min(step, most - from);
            double[] eye = new double[b * 2 * rows * n];
            for (int s = 0; s < b; s++)
                for (int r = 0; r < rows && from + r < count[s]; r++) {
                    eye[(s * 2 * rows + r) * n + of[s][from + r]] = 1;
                    eye[(s * 2 * rows + rows + r) * n + of[s][from + r]] = -1;
                }
            long[] shaped = new long[shape.length + 1];
            shaped[0] = b;
            shaped[1] = 2L * rows;
            System.arraycopy(shape, 1, shaped, 2, shape.length - 1);
            try (NDManager sm = m.newSubManager()) {
                double[] up = upper(sm.create(eye, new Shape(shaped)), k, bounds, region, null).toDoubleArray();
                for (int s = 0; s < b; s++)
                    for (int r = 0; r < rows && from + r < count[s]; r++) {
                        int j = s * n + of[s][from + r];
                        newHi[j] = Math.min(newHi[j], up[s * 2 * rows + r]);
                        newLo[j] = Math.max(newLo[j], -up[s * 2 * rows + rows + r]);
                    }
            }
        }
    }

    /** Rows idx of t [B, ...] as [idx.length, ...] in idx's manager; t itself where it is shared (B = 1). */
    private static NDArray rowsOf(NDArray t, NDArray idx) {
        long b = t.getShape().get(0), width = t.getShape().size() / b;
        if (b == 1) return t;
        long[] shape = t.getShape().getShape().clone();
        shape[0] = idx.getShape().get(0);
        NDArray flat = t.reshape(b, width);
        flat.attach(idx.getManager()); // a view, released with the chunk rather than with the bounds
        return flat.gather(idx.reshape(-1, 1).broadcast(new Shape(shape[0], width)), 0).reshape(new Shape(shape));
    }

    /** Elements of value i (without batch); in a chain, layer i's input. */
    private long layerSize(int i) {
        return org.workbench.net.Layer.size(shapes.get(i));
    }

    static NDArray slice(NDArray a, int s) {
        return a.get(s + ":" + (s + 1));
    }

    org.workbench.net.Layer layer(int i) {
        return layers.get(i);
    }

    NDList params(int i) {
        return net.params().get(i);
    }
}
