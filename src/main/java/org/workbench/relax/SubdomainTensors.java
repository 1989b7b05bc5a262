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
     * input); neuronOffset[i]: ReLU layer i's first slot in a Domain's alpha.
     */
    record Root(List<Layer> layers, List<NDArray[]> bounds, List<double[]> lo, List<double[]> hi, int[] neuronOffset) {}

    final List<NDArray> lo = new ArrayList<>(), hi = new ArrayList<>(), sign = new ArrayList<>(), alpha = new ArrayList<>(), beta = new ArrayList<>();
    final List<double[]> loV = new ArrayList<>(), hiV = new ArrayList<>();
    final List<Relu.Lines> lines = new ArrayList<>();

    private SubdomainTensors() {}

    /** The batch in float64, with s specification rows per subdomain. */
    SubdomainTensors(NDManager m, Root root, List<BetaCrown.Domain> domains, int s) {
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
            int n = root.lo().get(i).length;
            double[] l = new double[b * n], u = new double[b * n], sg = new double[b * n];
            double[] a = new double[b * s * n], be = new double[b * s * n];
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
                        for (int r = 0; r < s; r++) be[(k * s + r) * n + sp.neuron()] = dom.beta()[q * s + r];
                }
                for (int r = 0; r < s; r++)
                    for (int j = 0; j < n; j++)
                        a[(k * s + r) * n + j] = dom.alpha() != null ? dom.alpha()[s * root.neuronOffset()[i] + r * n + j]
                                : (u[k * n + j] > -l[k * n + j] ? 1 : 0);
            }
            long[] shape = root.bounds().get(i)[0].getShape().getShape();
            lo.add(m.create(l, withBatch(shape, b, -1)));
            hi.add(m.create(u, withBatch(shape, b, -1)));
            lines.add(Relu.lines(lo.get(i), hi.get(i)));
            loV.add(l);
            hiV.add(u);
            alpha.add(m.create(a, withBatch(shape, b, s)));
            sign.add(anySplit ? m.create(sg, withBatch(shape, b, 1)) : null);
            beta.add(anySplit ? m.create(be, withBatch(shape, b, s)) : null);
        }
    }

    /** The same tensors in another type, kept in m (bounds and lines too; the Java arrays are shared). */
    SubdomainTensors as(DataType type, NDManager m) {
        SubdomainTensors c = new SubdomainTensors();
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
