package org.workbench.relax;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.workbench.solve.SolverContext;

/**
 * The LP (triangle) relaxation: every ReLU replaced by the convex hull of its graph over the neuron's bounds,
 * which come from the cheaper relaxations (interval or CROWN); one LP per sample, re-solved per target class.
 * For l2 threats the LP sees the box around the ball, a sound but looser set.
 */
final class Lp extends Relaxation {
    private final boolean crownBounds;
    private final String backend;
    private final int chunk;

    Lp(String name, SolverContext ctx, boolean crownBounds, String backend, int chunk) {
        super(name, ctx);
        this.crownBounds = crownBounds;
        this.backend = backend;
        this.chunk = chunk;
    }

    @Override
    NDArray upper(Propagation prop, Region region, NDArray spec, NDManager m) {
        List<NDArray[]> bounds = crownBounds ? prop.crown(region, m, chunk) : prop.interval(region);
        long b = spec.getShape().get(0), s = spec.getShape().get(1);
        int classes = (int) spec.getShape().get(2);
        double[] c = spec.toDoubleArray();
        double[] out = new double[(int) (b * s)];
        for (int i = 0; i < b; i++) {
            List<double[]> lo = new ArrayList<>(), hi = new ArrayList<>();
            for (int k = 0; k < prop.size(); k++) {
                lo.add(Propagation.slice(bounds.get(k)[0], i).toDoubleArray());
                hi.add(Propagation.slice(bounds.get(k)[1], i).toDoubleArray());
            }
            double[][] rows = new double[(int) s][classes];
            for (int r = 0; r < s; r++) System.arraycopy(c, (int) ((i * s + r) * classes), rows[r], 0, classes);
            double[] up;
            try {
                up = LpRelaxation.maximize(ctx.network(), lo.get(0), hi.get(0), lo, hi, rows, backend);
            } catch (ArithmeticException e) {
                // Non-finite neuron bounds (a numerical failure upstream): no LP can be trusted with them.
                up = new double[(int) s];
                java.util.Arrays.fill(up, Double.NaN);
            }
            System.arraycopy(up, 0, out, (int) (i * s), (int) s);
        }
        return m.create(out, new Shape(b, s));
    }
}
