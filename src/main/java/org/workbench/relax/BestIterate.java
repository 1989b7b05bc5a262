package org.workbench.relax;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Per specification row (subdomain x row), the slopes and multipliers of the optimization iterate that gave the
 * smallest bound so far. Tensors are [B, S, neurons...] with one slice per row (B x S rows); nulls are skipped. The
 * kept parameters stay tensors, updated by a masked select per iterate: copying them out to Java arrays at every
 * iterate cost 7 % of branch and bound's time.
 */
final class BestIterate {
    private final int rows;
    private final double[] value;
    private final NDManager m;
    private final List<NDArray> alpha = new ArrayList<>(), beta = new ArrayList<>();

    /** Keeps its tensors in {@code m}. */
    BestIterate(NDManager m, int rows, List<NDArray> alphaNow, List<NDArray> betaNow) {
        this.m = m;
        this.rows = rows;
        value = new double[rows];
        Arrays.fill(value, Double.POSITIVE_INFINITY);
        for (int i = 0; i < alphaNow.size(); i++) alpha.add(null);
        for (int i = 0; i < betaNow.size(); i++) beta.add(null);
    }

    /** The smallest bound seen per row. */
    double[] values() {
        return value.clone();
    }

    /** Takes the rows of this iterate (bounds {@code up}, parameters as given) that improve on the best. */
    void offer(double[] up, List<NDArray> alphaNow, List<NDArray> betaNow) {
        boolean[] better = new boolean[rows];
        boolean any = false;
        for (int q = 0; q < rows; q++) any |= better[q] = up[q] < value[q];
        if (!any) return;
        try (NDManager tmp = m.newSubManager()) {
            NDArray mask = tmp.create(better, new Shape(rows));
            keep(alphaNow, alpha, mask);
            keep(betaNow, beta, mask);
        }
        for (int q = 0; q < rows; q++) value[q] = org.workbench.solve.NonFinite.tighterUpper(value[q], up[q]);
    }

    /** kept[i] becomes now[i] on the rows the mask marks (all of it the first time), kept in {@code m}. */
    private void keep(List<NDArray> now, List<NDArray> kept, NDArray mask) {
        for (int i = 0; i < now.size(); i++) {
            NDArray x = now.get(i);
            if (x == null) continue;
            NDArray old = kept.get(i), detached = x.stopGradient(), next;
            if (old == null) {
                next = detached.duplicate();
            } else {
                long[] shape = x.getShape().getShape(), rowShape = new long[shape.length];
                Arrays.fill(rowShape, 1);
                rowShape[0] = shape[0];
                rowShape[1] = shape[1];
                NDArray cond = mask.reshape(new Shape(rowShape));
                next = JniUtils.where((PtNDArray) cond, (PtNDArray) detached, (PtNDArray) old); // broadcasts, unlike NDArrays.where
                cond.close();
                old.close();
            }
            detached.close();
            next.attach(m);
            kept.set(i, next);
        }
    }

    /** Replaces the given lists' tensors by the best parameters, in float64 (kept in {@code into}). */
    void install(NDManager into, List<NDArray> alphaOut, List<NDArray> betaOut) {
        for (int i = 0; i < alphaOut.size(); i++) if (alpha.get(i) != null) alphaOut.set(i, converted(alpha.get(i), into));
        for (int i = 0; i < betaOut.size(); i++) if (beta.get(i) != null) betaOut.set(i, converted(beta.get(i), into));
    }

    private static NDArray converted(NDArray x, NDManager into) {
        NDArray y = x.toType(DataType.FLOAT64, true);
        y.attach(into);
        return y;
    }
}
