package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** max(x, 0), elementwise. */
public record Relu() implements Layer {
    @Override
    public String type() {
        return "relu";
    }

    @Override
    public int[] outputShape(int[] in) {
        return in.clone();
    }

    @Override
    public NDArray forward(NDArray x, NDList p) {
        return x.maximum(0);
    }

    /**
     * torch's relu on both ends: the same values as max(x, 0) without a scalar tensor made per call, and certified
     * training's backward through it is one pass (its subgradient at 0 is 0, as interval training in PyTorch).
     */
    @Override
    public NDArray[] interval(NDArray lo, NDArray hi, NDList p) {
        return new NDArray[] {lo.getNDArrayInternal().relu(), hi.getNDArrayInternal().relu()};
    }

    /**
     * Upper line through (l, 0) and (u, u) on unstable neurons (l < 0 < u); lower line through the origin with
     * slope in [0, 1]. Positive coefficients take the upper line, negative ones the lower.
     */
    @Override
    public NDArray[] backward(NDArray lambda, NDList p, NDArray lo, NDArray hi, NDArray lowerSlope) {
        return backward(lambda, lines(lo, hi), lowerSlope);
    }

    /**
     * The relaxation's lines for given bounds, shaped [B, 1, ...] to broadcast over specification rows: computed
     * once when many back-substitutions share the bounds (the steps of alpha- and beta-CROWN). {@code active} and
     * {@code unstable} are read only with optimized lower slopes and may be null where none are given.
     */
    public record Lines(NDArray upSlope, NDArray upOffset, NDArray active, NDArray unstable, NDArray adaptiveSlope) {}

    public static Lines lines(NDArray lo, NDArray hi) {
        NDArray l = lo.minimum(0), u = hi.maximum(0);
        // On stable neurons u - l is u (active) or -l (inactive), so the same formulas give slope 1 or 0.
        NDArray width = u.sub(l).maximum(1e-300);
        NDArray upSlope = u.div(width), upOffset = l.mul(upSlope).neg();
        NDArray active = lo.gte(0).toType(lo.getDataType(), false);
        NDArray unstable = lo.lt(0).logicalAnd(hi.gt(0)).toType(lo.getDataType(), false);
        // Adaptive choice of CROWN: slope 1 where the neuron is more positive than negative.
        NDArray adaptive = active.add(unstable.mul(hi.gt(lo.neg()).toType(lo.getDataType(), false)));
        return new Lines(Layer.perSpec(upSlope), Layer.perSpec(upOffset), Layer.perSpec(active), Layer.perSpec(unstable),
                Layer.perSpec(adaptive));
    }

    /** Back-substitution through the lines; {@code lowerSlope} (per row, may be null) for the unstable neurons. */
    public static NDArray[] backward(NDArray lambda, Lines lines, NDArray lowerSlope) {
        NDArray lowSlope = lowerSlope == null ? lines.adaptiveSlope() : lines.active().add(lines.unstable().mul(lowerSlope));
        // lambda·low + max(lambda, 0)·(up − low): the same values as max(lambda, 0)·up + min(lambda, 0)·low in four
        // passes over the coefficients instead of seven (the slopes are per sample, S times smaller); the offset is
        // one batched product instead of a product and a sum.
        long b = lambda.getShape().get(0), s = lambda.getShape().get(1);
        NDArray pos = lambda.maximum(0);
        NDArray in = lambda.mul(lowSlope).add(pos.mul(lines.upSlope().sub(lowSlope)));
        NDArray upOffset = lines.upOffset();
        NDArray offset = pos.reshape(b, s, -1).matMul(upOffset.reshape(upOffset.getShape().get(0), -1, 1)).reshape(b, s);
        return new NDArray[] {in, offset};
    }

    /**
     * Stable neurons need no constraint (output 0, or the input itself). Unstable ones (l < 0 < u) get the
     * triangle y >= 0, y >= x, y <= u (x - l) / (u - l); exact adds a binary z with y <= x - l (1 - z), y <= u z.
     */
    @Override
    public int[] encode(LinearProgram lp, int[] x, int[] inShape, double[] inLo, double[] inHi, boolean exact) {
        int[] y = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            double l = inLo[i], u = inHi[i];
            if (u <= 0) {
                y[i] = lp.variable(0, 0);
            } else if (l >= 0) {
                y[i] = x[i];
            } else {
                int v = lp.variable(0, u);
                y[i] = v;
                lp.constraint(new int[] {v, x[i]}, new double[] {1, -1}, 0, Double.POSITIVE_INFINITY);
                // The slope and offset are rounded; the slack keeps (l, 0) and (u, u) on the feasible side.
                double s = u / (u - l);
                lp.constraint(new int[] {v, x[i]}, new double[] {1, -s}, Double.NEGATIVE_INFINITY, -s * l + 1e-15 * (u - l));
                if (exact) {
                    int z = lp.binary();
                    lp.constraint(new int[] {v, x[i], z}, new double[] {1, -1, -l}, Double.NEGATIVE_INFINITY, -l);
                    lp.constraint(new int[] {v, z}, new double[] {1, -u}, Double.NEGATIVE_INFINITY, 0);
                }
            }
        }
        return y;
    }
}
