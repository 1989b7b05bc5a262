package org.workbench.relax;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.workbench.net.Network;

/**
 * The backward walk of back-substitution over a network's wiring, shared by CROWN ({@link Propagation}) and
 * beta-CROWN ({@link BetaCrown}): one coefficient tensor per value of the network, layers taken from the last to
 * the first, so that residual branches are followed separately and summed where they split. Joins (Add, Concat) are
 * exact and hand their coefficients on by their own rule; every other layer goes through {@code step}, which
 * holds the caller's relaxation choices (slopes, split multipliers).
 */
final class GraphWalk {
    private GraphWalk() {}

    /** Layer i's linear rule for coefficients {@code lambda} on its output: {coefficients on its input, offset}. */
    interface Step {
        NDArray[] apply(int layer, NDArray lambda);
    }

    /**
     * Walks layers from-1..0 starting from coefficients {@code spec} [B, S, ...] on value {@code from} (the output of
     * layer from-1): {coefficients on the network input [B, S, ...input shape], summed offset [B, S] or null when no
     * layer added one}.
     */
    static NDArray[] backward(Network net, List<int[]> shapes, NDArray spec, int from, Step step) {
        List<int[]> reads = net.inputs();
        NDArray[] coef = new NDArray[from + 1];
        coef[from] = spec;
        NDArray offset = null;
        for (int i = from - 1; i >= 0; i--) {
            NDArray lambda = coef[i + 1];
            if (lambda == null) continue; // value `from` does not depend on this layer
            coef[i + 1] = null;
            int[] r = reads.get(i);
            if (r.length > 1) {
                List<int[]> inShapes = new ArrayList<>();
                for (int v : r) inShapes.add(shapes.get(v));
                List<NDArray> parts = net.layers().get(i).backwardJoin(lambda, inShapes);
                for (int j = 0; j < r.length; j++) coef[r[j]] = coef[r[j]] == null ? parts.get(j) : coef[r[j]].add(parts.get(j));
                continue;
            }
            NDArray[] res = step.apply(i, lambda);
            coef[r[0]] = coef[r[0]] == null ? res[0] : coef[r[0]].add(res[0]);
            offset = offset == null ? res[1] : offset.add(res[1]);
        }
        NDArray onInput = coef[0];
        if (onInput == null) {
            int[] in = shapes.get(0);
            long[] s = new long[in.length + 2];
            s[0] = spec.getShape().get(0);
            s[1] = spec.getShape().get(1);
            for (int d = 0; d < in.length; d++) s[d + 2] = in[d];
            onInput = spec.getManager().zeros(new Shape(s), spec.getDataType());
        }
        return new NDArray[] {onInput, offset};
    }

    /** Which layers value v depends on (value v is the output of layer v - 1): the ones a walk from v passes. */
    static boolean[] feeds(Network net, int v) {
        boolean[] needed = new boolean[net.layers().size() + 1], feeds = new boolean[net.layers().size()];
        needed[v] = true;
        for (int i = v - 1; i >= 0; i--) {
            if (!needed[i + 1]) continue;
            feeds[i] = true;
            for (int x : net.inputs().get(i)) needed[x] = true;
        }
        return feeds;
    }
}
