package org.workbench.relax;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import org.workbench.net.Relu;
import org.workbench.solve.SolverContext;

/**
 * CROWN with the lower slopes of unstable ReLUs optimized per specification row (alpha-CROWN): projected
 * Adam steps on the slopes in [0, 1], through DJL autograd, from CROWN's own slopes. Every slope choice in
 * [0, 1] gives a sound bound, so the smallest bound seen for each row is kept: never looser than CROWN.
 *
 * <p>With {@code intermediate > 0} (l-inf threats) the bounds of every ReLU input after the first are optimized too,
 * as auto_LiRPA's alpha-CROWN does: per sample, each unstable neuron's two rows get their own slopes for all earlier
 * ReLUs ({@link BetaCrown}'s root), then the margins' slopes are optimized over those tighter bounds.
 */
final class AlphaCrown extends Relaxation {
    private final int chunk;
    private final int iterations;
    private final double lr;
    private final int intermediate;
    private final int patience;

    AlphaCrown(String name, SolverContext ctx, int chunk, int iterations, double lr) {
        this(name, ctx, chunk, iterations, lr, 0, EarlyStop.DEFAULT_PATIENCE);
    }

    AlphaCrown(String name, SolverContext ctx, int chunk, int iterations, double lr, int intermediate, int patience) {
        super(name, ctx);
        this.chunk = chunk;
        this.iterations = iterations;
        this.lr = lr;
        this.intermediate = intermediate;
        this.patience = patience;
    }

    @Override
    NDArray upper(Propagation prop, Region region, NDArray spec, NDManager m) {
        List<NDArray[]> bounds = prop.crown(region, m, chunk);
        NDArray best = prop.upper(spec, prop.size(), bounds, region, null).minimum(prop.lastLayerBox(spec, bounds));
        if (intermediate > 0 && region.norm() == org.workbench.problem.Norm.LINF) return best.minimum(perSample(region, spec, m));
        long b = spec.getShape().get(0), s = spec.getShape().get(1);
        List<NDArray> alpha = new ArrayList<>();
        for (int i = 0; i < prop.size(); i++) {
            NDArray a = null;
            if (ctx.network().layers().get(i) instanceof Relu) {
                NDArray lo = bounds.get(prop.in(i))[0], hi = bounds.get(prop.in(i))[1];
                long[] shape = lo.getShape().getShape();
                long[] full = new long[shape.length + 1];
                full[0] = b;
                full[1] = s;
                System.arraycopy(shape, 1, full, 2, shape.length - 1);
                NDArray init = hi.gt(lo.neg()).toType(DataType.FLOAT64, false);
                a = org.workbench.net.Layer.perSpec(init).broadcast(new Shape(full)).duplicate();
            }
            alpha.add(a);
        }
        Adam adam = new Adam(m, alpha, lr);
        EarlyStop stop = new EarlyStop(patience);
        for (int t = 1; t <= iterations; t++) {
            try (NDManager sm = m.newSubManager()) {
                for (NDArray a : alpha) if (a != null) a.setRequiresGradient(true);
                NDArray up;
                try (GradientCollector gc = sm.getEngine().newGradientCollector()) {
                    up = prop.upper(spec, prop.size(), bounds, region, alpha);
                    gc.backward(up.sum());
                }
                NDArray improved = best.minimum(up.stopGradient());
                improved.attach(m);
                best = improved;
                if (stop.stalled(up.stopGradient().sum().getDouble())) break;
                adam.step(t, true);
            }
        }
        return best;
    }

    /** Per sample, the root of a branch and bound with optimized intermediate bounds, and its margins' bound. */
    private NDArray perSample(Region region, NDArray spec, NDManager m) {
        int b = (int) spec.getShape().get(0), s = (int) spec.getShape().get(1), outs = (int) spec.getShape().get(2);
        double[] lo = region.lo().toDoubleArray(), hi = region.hi().toDoubleArray(), rowsAll = spec.toDoubleArray();
        int d = lo.length / b;
        double[] out = new double[b * s];
        BetaCrown.Domain root = new BetaCrown.Domain(List.of(), null, null);
        for (int i = 0; i < b; i++) {
            double[][] rows = new double[s][outs];
            for (int r = 0; r < s; r++) System.arraycopy(rowsAll, (i * s + r) * outs, rows[r], 0, outs);
            BetaCrown bc = new BetaCrown(ctx.float64(), java.util.Arrays.copyOfRange(lo, i * d, (i + 1) * d),
                    java.util.Arrays.copyOfRange(hi, i * d, (i + 1) * d), Long.MAX_VALUE, null, intermediate, patience, Branching.BABSR);
            try {
                double[] up = bc.bound(List.of(root), rows, iterations, lr, 0).get(0).upper();
                for (int r = 0; r < s; r++) out[i * s + r] = Double.isNaN(up[r]) ? Double.POSITIVE_INFINITY : up[r];
            } finally {
                bc.close();
            }
        }
        return m.create(out, new Shape(b, s));
    }
}
