package org.workbench.relax;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.workbench.problem.Norm;
import org.workbench.problem.Threat;
import org.workbench.solve.Batch;

/**
 * The threat sets of a batch as float64 tensors: the centres x, a box [lo, hi] containing each set (exactly the
 * set for l-inf), and for l2 the ball itself, which a linear function is maximized over in closed form.
 */
record Region(NDArray center, NDArray lo, NDArray hi, Norm norm, double eps) {

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
        return new Region(m.create(c, s), m.create(lo, s), m.create(hi, s), threat.norm(), eps);
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
        return new Region(m.create(c, s), m.create(l, s), m.create(h, s), Norm.LINF, 0);
    }

    /** The region of sample s alone (a batch of one). */
    Region slice(int s) {
        return new Region(Propagation.slice(center, s), Propagation.slice(lo, s), Propagation.slice(hi, s), norm, eps);
    }

    /**
     * One box [lo, hi] for every row of a batch (a batch of one, broadcast by {@link #maximize}): the subdomains of
     * branch and bound on ReLUs all share their input box.
     */
    static Region sharedBox(NDManager m, double[] lo, double[] hi, long[] shape) {
        return boxes(m, new double[][] {lo}, new double[][] {hi}, shape);
    }

    /** max over the set of lambda·x, for coefficients [B, S, ...input shape]; returns [B, S]. */
    NDArray maximize(NDArray lambda) {
        long b = lambda.getShape().get(0), s = lambda.getShape().get(1);
        NDArray flat = lambda.reshape(b, s, -1);
        if (b > 1 && lo.getShape().get(0) == 1 && norm != Norm.L2) {
            // A shared box: lambda·c + |lambda|·r as two matrix-vector products, a third of the elementwise passes
            // over [B, S, inputs] (and of their gradients) that the per-row form takes.
            NDArray c = lo.add(hi).div(2).reshape(-1), r = hi.sub(lo).div(2).reshape(-1);
            return flat.matMul(c).add(flat.abs().matMul(r));
        }
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
