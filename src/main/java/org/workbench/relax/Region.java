package org.workbench.relax;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.workbench.problem.Norm;
import org.workbench.problem.Threat;
import org.workbench.solve.Batch;

/**
 * The threat sets of a batch as float64 tensors: the centres x, a box [lo, hi] containing each set (exactly the
 * set for l-inf), and for l2 the ball itself, which a linear function is maximized over in closed form. A box shared
 * by the whole batch ({@link #sharedBox}) also has {@code radius}, null otherwise.
 */
record Region(NDArray center, NDArray lo, NDArray hi, NDArray radius, Norm norm, double eps) {

    static Region of(NDManager m, Batch batch, Threat threat, double eps, long[] shape) {
        int b = batch.size(), d = batch.inputs()[0].length;
        double[] c = new double[b * d], lo = new double[b * d], hi = new double[b * d];
        for (int i = 0; i < b; i++)
            for (int k = 0; k < d; k++) {
                double x = batch.inputs()[i][k];
                c[i * d + k] = x;
                // For l2 the box [x - eps, x + eps] contains the ball; with clipping, intersect with the domain.
                double l = x - eps, u = x + eps;
                lo[i * d + k] = threat.clip() ? Math.max(l, threat.lo()) : l;
                hi[i * d + k] = threat.clip() ? Math.min(u, threat.hi()) : u;
            }
        ai.djl.ndarray.types.Shape s = new ai.djl.ndarray.types.Shape(shape);
        return new Region(m.create(c, s), m.create(lo, s), m.create(hi, s), null, threat.norm(), eps);
    }

    /** Explicit input boxes (one per batch row), as VNNLIB properties and branch-and-bound give them. */
    static Region boxes(NDManager m, double[][] lo, double[][] hi, long[] shape) {
        int b = lo.length, d = lo[0].length;
        double[] c = new double[b * d], l = new double[b * d], h = new double[b * d];
        for (int i = 0; i < b; i++)
            for (int k = 0; k < d; k++) {
                l[i * d + k] = lo[i][k];
                h[i * d + k] = hi[i][k];
                c[i * d + k] = (lo[i][k] + hi[i][k]) / 2;
            }
        ai.djl.ndarray.types.Shape s = new ai.djl.ndarray.types.Shape(shape);
        return new Region(m.create(c, s), m.create(l, s), m.create(h, s), null, Norm.LINF, 0);
    }

    /** The region of sample s alone (a batch of one). */
    Region slice(int s) {
        return new Region(Propagation.slice(center, s), Propagation.slice(lo, s), Propagation.slice(hi, s), radius, norm, eps);
    }

    /**
     * One box [lo, hi] for every row of a batch, as the subdomains of branch and bound on ReLUs share their input box:
     * {@link #maximize} takes lambda·c + |lambda|·r over it, two matrix-vector products instead of elementwise passes
     * over [B, S, inputs]. r is rounded up so that [c - r, c + r] contains [lo, hi] exactly: the maximum over it is
     * never below the box's.
     */
    static Region sharedBox(NDManager m, double[] lo, double[] hi, long[] shape) {
        int d = lo.length;
        double[] c = new double[d], r = new double[d];
        for (int k = 0; k < d; k++) {
            c[k] = lo[k] + (hi[k] - lo[k]) / 2;
            r[k] = Math.nextUp(Math.max(hi[k] - c[k], c[k] - lo[k]));
        }
        ai.djl.ndarray.types.Shape s = new ai.djl.ndarray.types.Shape(shape);
        return new Region(m.create(c, s), m.create(lo, s), m.create(hi, s), m.create(r), Norm.LINF, 0);
    }

    /** The same region in another type (the search of beta-CROWN runs in float32). */
    Region as(DataType type) {
        return new Region(center.toType(type, false), lo.toType(type, false), hi.toType(type, false),
                          radius == null ? null : radius.toType(type, false), norm, eps);
    }

    /** max over the set of lambda·x, for coefficients [B, S, ...input shape]; returns [B, S]. */
    NDArray maximize(NDArray lambda) {
        long b = lambda.getShape().get(0), s = lambda.getShape().get(1);
        NDArray flat = lambda.reshape(b, s, -1);
        if (radius != null) return flat.matMul(center.reshape(-1)).add(flat.abs().matMul(radius));
        NDArray lo2 = lo.reshape(b, 1, -1), hi2 = hi.reshape(b, 1, -1);
        NDArray box = flat.maximum(0).mul(hi2).add(flat.minimum(0).mul(lo2)).sum(new int[] {2});
        if (norm != Norm.L2) return box;
        NDArray ball = flat.mul(center.reshape(b, 1, -1)).sum(new int[] {2}).add(flat.norm(new int[] {2}).mul(eps));
        return box.minimum(ball);
    }

    static NDArray concretizeBox(NDArray lambda, NDArray lo, NDArray hi) {
        long b = lambda.getShape().get(0), s = lambda.getShape().get(1);
        NDArray flat = lambda.reshape(b, s, -1);
        return flat.maximum(0).mul(hi.reshape(b, 1, -1)).add(flat.minimum(0).mul(lo.reshape(b, 1, -1))).sum(new int[] {2});
    }

    static DataType dtype() {
        return DataType.FLOAT64;
    }
}
