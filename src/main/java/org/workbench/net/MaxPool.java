package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * 2-d max pooling over [C, H, W] (padding counts as minus infinity, as in ONNX and PyTorch). Bound rules per window
 * with tap bounds [l_t, u_t]: intervals pool each end (max is monotone); the linear rule is DeepPoly's and
 * auto_LiRPA's, max ≥ x_t* for t* the tap of largest lower bound, max ≤ max_t u_t, and max = x_t* when l_t* is at
 * least every other tap's upper bound; the exact encoding is MIPVerify's, one binary per tap that can be the largest.
 */
public record MaxPool(Pooling window) implements Layer {
    @Override
    public String type() {
        return "maxpool";
    }

    @Override
    public int[] outputShape(int[] in) {
        return window.outputShape(type(), in);
    }

    @Override
    public NDArray forward(NDArray x, NDList p) {
        return x.getNDArrayInternal().maxPool(window.kernel(), window.stride(), window.pad(), window.ceilMode());
    }

    @Override
    public NDArray[] interval(NDArray lo, NDArray hi, NDList p) {
        return new NDArray[] {forward(lo, p), forward(hi, p)};
    }

    @Override
    public NDArray[] backward(NDArray lambda, NDList p, NDArray lo, NDArray hi, NDArray lowerSlope) {
        long b = lambda.getShape().get(0), s = lambda.getShape().get(1);
        long[] in = lo.getShape().getShape();
        PoolTaps t = PoolTaps.of(window, (int) in[1], (int) in[2], (int) in[3]);
        int o = t.outputs(), taps = t.taps();
        NDArray l = t.gather(lo.reshape(b, -1), Double.NEGATIVE_INFINITY), u = t.gather(hi.reshape(b, -1), Double.NEGATIVE_INFINITY);
        NDArray star = l.argMax(2).oneHot(taps).toType(lambda.getDataType(), false); // [B, O, T]
        NDArray lowMax = l.max(new int[] {2});
        NDArray otherU = NDArrays.where(star.gt(0), u.getManager().full(u.getShape(), Float.NEGATIVE_INFINITY).toType(u.getDataType(), false), u)
                .max(new int[] {2});
        NDArray maxU = u.max(new int[] {2});
        NDArray exact = lowMax.gte(otherU).toType(lambda.getDataType(), false); // [B, O]
        NDArray lam = lambda.reshape(b, s, o);
        NDArray pos = lam.maximum(0), neg = lam.minimum(0);
        // Coefficient on x_t*: the lower line serves negative coefficients, the upper one positive ones where exact.
        NDArray coef = neg.add(pos.mul(exact.expandDims(1)));
        NDArray offset = pos.mul(exact.neg().add(1).mul(maxU).expandDims(1)).sum(new int[] {2});
        NDArray perTap = coef.expandDims(3).mul(star.expandDims(1)).reshape(b * s, o, taps);
        NDArray lambdaIn = t.scatter(perTap).reshape(new Shape(b, s, in[1], in[2], in[3]));
        return new NDArray[] {lambdaIn, offset};
    }

    @Override
    public int[] encode(LinearProgram lp, int[] in, int[] inShape, double[] inLo, double[] inHi, boolean exact) {
        PoolTaps t = PoolTaps.of(window, inShape[0], inShape[1], inShape[2]);
        int[] out = new int[t.outputs()];
        for (int o = 0; o < out.length; o++) {
            int best = -1;
            for (int k = 0; k < t.taps(); k++) {
                int i = t.read()[o * t.taps() + k];
                if (i >= 0 && (best < 0 || inLo[i] > inLo[best])) best = i;
            }
            double lowMax = inLo[best], upMax = inHi[best];
            // The tap of largest lower bound, and the taps that can exceed it; the others never hold the maximum alone.
            List<Integer> cand = new ArrayList<>(List.of(best));
            for (int k = 0; k < t.taps(); k++) {
                int i = t.read()[o * t.taps() + k];
                if (i >= 0 && inHi[i] > lowMax && !cand.contains(i)) {
                    cand.add(i);
                    upMax = Math.max(upMax, inHi[i]);
                }
            }
            if (cand.size() == 1) {
                out[o] = in[cand.get(0)];
                continue;
            }
            int y = lp.variable(lowMax, upMax);
            out[o] = y;
            int[] choice = new int[cand.size()];
            double[] ones = new double[cand.size()];
            for (int c = 0; c < cand.size(); c++) {
                int i = cand.get(c);
                lp.constraint(new int[] {y, in[i]}, new double[] {1, -1}, 0, Double.POSITIVE_INFINITY);
                if (!exact) continue; // the LP keeps y >= every tap and y <= the largest upper bound
                choice[c] = lp.binary();
                ones[c] = 1;
                double bigM = (upMax - inLo[i]) * (1 + 1e-12) + 1e-12;
                lp.constraint(new int[] {y, in[i], choice[c]}, new double[] {1, -1, bigM}, Double.NEGATIVE_INFINITY, bigM);
            }
            if (exact) lp.constraint(choice, ones, 1, 1);
        }
        return out;
    }
}
