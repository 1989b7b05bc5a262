package org.workbench.relax;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.workbench.net.Layer;
import org.workbench.net.Relu;

/**
 * Per-layer tensors of a batch of subdomains, for beta-CROWN's back-substitution: each subdomain's ReLU input
 * bounds (the root's, clamped at 0 by its splits), their relaxation lines, the split signs, and the slopes alpha
 * and multipliers beta (warm-started from the parent). Null where a layer has none.
 */
final class SubdomainTensors {
    /**
     * The root box's bounds every subdomain starts from, per layer the bounds of the value it reads (in a chain, its
     * input). The slopes and multipliers are kept for the neurons unstable at the root only ("sparse alpha", as
     * α,β-CROWN keeps them): subdomains only shrink the root's bounds, so no other neuron is ever unstable, and on
     * networks whose neurons are mostly stable the dense tensors made Adam's update a quarter of branch and bound's
     * time. slots[i]: ReLU layer i's root-unstable neurons (null: every neuron, when over half are unstable and a
     * gather would cost more than it saves); expand[i]: each neuron's slot, or the slot count for a zero column;
     * offset[i]: the layer's first slot in a Domain's alpha; total: the slots of all layers.
     */
    record Root(List<Layer> layers, List<NDArray[]> bounds, List<double[]> lo, List<double[]> hi, int[][] slots,
                long[][] expand, int[] offset, int total) {

        static Root of(List<Layer> layers, List<NDArray[]> bounds, List<double[]> lo, List<double[]> hi) {
            int[][] slots = new int[layers.size()][];
            long[][] expand = new long[layers.size()][];
            int[] offset = new int[layers.size()];
            int total = 0;
            for (int i = 0; i < layers.size(); i++) {
                offset[i] = total;
                if (!(layers.get(i) instanceof Relu)) continue;
                double[] l = lo.get(i), u = hi.get(i);
                int unstable = 0;
                for (int j = 0; j < l.length; j++) if (l[j] < 0 && u[j] > 0) unstable++;
                if (2 * unstable > l.length) {
                    total += l.length;
                    continue;
                }
                slots[i] = new int[unstable];
                expand[i] = new long[l.length];
                for (int j = 0, q = 0; j < l.length; j++) {
                    if (l[j] < 0 && u[j] > 0) slots[i][q] = j;
                    expand[i][j] = l[j] < 0 && u[j] > 0 ? q++ : unstable;
                }
                total += unstable;
            }
            return new Root(layers, bounds, lo, hi, slots, expand, offset, total);
        }

        /** ReLU layer i's slot count. */
        int size(int i) {
            return slots[i] == null ? lo.get(i).length : slots[i].length;
        }

        /** The neuron of slot q of layer i. */
        int neuron(int i, int q) {
            return slots[i] == null ? q : slots[i][q];
        }

        /** The slot of neuron j of layer i; fails for a neuron stable at the root (none can be split). */
        int slot(int i, int j) {
            if (slots[i] == null) return j;
            int q = (int) expand[i][j];
            if (q == slots[i].length) throw new IllegalStateException("neuron " + j + " of layer " + i + " is stable at the root");
            return q;
        }
    }

    private Root root;

    final List<NDArray> lo = new ArrayList<>(), hi = new ArrayList<>(), sign = new ArrayList<>(), alpha = new ArrayList<>(), beta = new ArrayList<>();
    final List<double[]> loV = new ArrayList<>(), hiV = new ArrayList<>();
    final List<Relu.Lines> lines = new ArrayList<>();

    private SubdomainTensors() {}

    /** The batch in float64, with s specification rows per subdomain. */
    SubdomainTensors(NDManager m, Root root, List<BetaCrown.Domain> domains, int s) {
        this.root = root;
        int b = domains.size();
        List<Layer> layers = root.layers();
        for (int i = 0; i < layers.size(); i++) {
            if (!(layers.get(i) instanceof Relu)) {
                lo.add(root.bounds().get(i)[0]);
                hi.add(root.bounds().get(i)[1]);
                for (List<NDArray> x : List.of(sign, alpha, beta)) x.add(null);
                loV.add(null);
                hiV.add(null);
                lines.add(null);
                continue;
            }
            int n = root.lo().get(i).length, slots = root.size(i);
            double[] l = new double[b * n], u = new double[b * n], sg = new double[b * n];
            double[] a = new double[b * s * slots], be = new double[b * s * slots];
            boolean anySplit = false;
            for (int k = 0; k < b; k++) {
                System.arraycopy(root.lo().get(i), 0, l, k * n, n);
                System.arraycopy(root.hi().get(i), 0, u, k * n, n);
                BetaCrown.Domain dom = domains.get(k);
                List<BetaCrown.Split> splits = dom.splits();
                for (int q = 0; q < splits.size(); q++) {
                    BetaCrown.Split sp = splits.get(q);
                    if (sp.layer() != i) continue;
                    anySplit = true;
                    int j = k * n + sp.neuron();
                    if (sp.active()) l[j] = Math.max(l[j], 0);
                    else u[j] = Math.min(u[j], 0);
                    sg[j] = sp.active() ? 1 : -1;
                    if (dom.beta() != null && q * s < dom.beta().length)
                        for (int r = 0; r < s; r++) be[(k * s + r) * slots + root.slot(i, sp.neuron())] = dom.beta()[q * s + r];
                }
                for (int r = 0; r < s; r++)
                    for (int q = 0; q < slots; q++) {
                        int j = root.neuron(i, q);
                        a[(k * s + r) * slots + q] = dom.alpha() != null ? dom.alpha()[s * root.offset()[i] + r * slots + q]
                                : (u[k * n + j] > -l[k * n + j] ? 1 : 0);
                    }
            }
            long[] shape = root.bounds().get(i)[0].getShape().getShape();
            lo.add(m.create(l, withBatch(shape, b, -1)));
            hi.add(m.create(u, withBatch(shape, b, -1)));
            lines.add(Relu.lines(lo.get(i), hi.get(i)));
            loV.add(l);
            hiV.add(u);
            Shape params = root.slots()[i] == null ? withBatch(shape, b, s) : new Shape(b, s, slots);
            alpha.add(m.create(a, params));
            sign.add(anySplit ? m.create(sg, withBatch(shape, b, 1)) : null);
            beta.add(anySplit ? m.create(be, params) : null);
        }
    }

    /** Layer i's slopes as the back-substitution reads them, [B, S, ...layer shape] (stable neurons' slots read 0). */
    NDArray denseAlpha(int i) {
        return dense(i, alpha.get(i));
    }

    /** Layer i's split multipliers as the back-substitution reads them (0 off the split neurons). */
    NDArray denseBeta(int i) {
        return dense(i, beta.get(i));
    }

    private NDArray dense(int i, NDArray x) {
        if (x == null || root.slots()[i] == null) return x;
        long b = x.getShape().get(0), s = x.getShape().get(1);
        long[] shape = lo.get(i).getShape().getShape();
        return Layer.columnsWithZero(x.reshape(b * s, -1), root.expand()[i]).reshape(withBatch(shape, (int) b, (int) s));
    }

    /** The same tensors in another type, kept in m (bounds and lines too; the Java arrays are shared). */
    SubdomainTensors as(DataType type, NDManager m) {
        SubdomainTensors c = new SubdomainTensors();
        c.root = root;
        c.loV.addAll(loV);
        c.hiV.addAll(hiV);
        for (int i = 0; i < lo.size(); i++) {
            c.lo.add(converted(lo.get(i), type, m));
            c.hi.add(converted(hi.get(i), type, m));
            c.lines.add(lines.get(i) == null ? null : Relu.lines(c.lo.get(i), c.hi.get(i)));
            c.sign.add(sign.get(i) == null ? null : sign.get(i).toType(type, false));
            c.alpha.add(alpha.get(i) == null ? null : alpha.get(i).toType(type, false));
            c.beta.add(beta.get(i) == null ? null : beta.get(i).toType(type, false));
        }
        return c;
    }

    /** x in another type, kept in m (a conversion of a root bound would otherwise live as long as the root). */
    private static NDArray converted(NDArray x, DataType type, NDManager m) {
        NDArray y = x.toType(type, false);
        if (y != x) y.attach(m);
        return y;
    }

    /** The same bounds with other slopes and multipliers (lists copied, tensors shared). */
    SubdomainTensors withParams(List<NDArray> newAlpha, List<NDArray> newBeta) {
        SubdomainTensors c = new SubdomainTensors();
        c.root = root;
        c.lo.addAll(lo);
        c.hi.addAll(hi);
        c.sign.addAll(sign);
        c.loV.addAll(loV);
        c.hiV.addAll(hiV);
        c.lines.addAll(lines);
        c.alpha.addAll(newAlpha);
        c.beta.addAll(newBeta);
        return c;
    }

    /** A layer's shape with batch b, and (when rows >= 0) a row dimension after it. */
    static Shape withBatch(long[] shape, int b, int rowsDim) {
        int extra = rowsDim >= 0 ? 1 : 0;
        long[] out = new long[shape.length + extra];
        out[0] = b;
        if (extra == 1) out[1] = rowsDim;
        System.arraycopy(shape, 1, out, 1 + extra, shape.length - 1);
        return new Shape(out);
    }
}
