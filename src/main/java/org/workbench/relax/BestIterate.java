package org.workbench.relax;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Per specification row (subdomain x row), the slopes and multipliers of the optimization iterate that gave the
 * smallest bound so far. Tensors are [rows..., neurons...] with one contiguous slice per row; nulls are skipped.
 */
final class BestIterate {
    private final int rows;
    private final double[] value;
    private final List<float[]> alpha = new ArrayList<>(), beta = new ArrayList<>();

    BestIterate(int rows, List<NDArray> alphaNow, List<NDArray> betaNow) {
        this.rows = rows;
        value = new double[rows];
        Arrays.fill(value, Double.POSITIVE_INFINITY);
        for (NDArray a : alphaNow) alpha.add(a == null ? null : new float[(int) a.size()]);
        for (NDArray x : betaNow) beta.add(x == null ? null : new float[(int) x.size()]);
    }

    /** The smallest bound seen per row. */
    double[] values() {
        return value.clone();
    }

    /** Takes the rows of this iterate (bounds {@code up}, parameters as given) that improve on the best. */
    void offer(double[] up, List<NDArray> alphaNow, List<NDArray> betaNow) {
        boolean any = false;
        for (int q = 0; q < rows; q++) any |= up[q] < value[q];
        if (!any) return;
        copyImproved(up, alphaNow, alpha);
        copyImproved(up, betaNow, beta);
        for (int q = 0; q < rows; q++) value[q] = Math.min(value[q], up[q]);
    }

    private void copyImproved(double[] up, List<NDArray> now, List<float[]> kept) {
        for (int i = 0; i < now.size(); i++) {
            if (kept.get(i) == null) continue;
            float[] a = now.get(i).toType(DataType.FLOAT32, false).toFloatArray();
            int len = a.length / rows;
            for (int q = 0; q < rows; q++) if (up[q] < value[q]) System.arraycopy(a, q * len, kept.get(i), q * len, len);
        }
    }

    /** Replaces the given lists' tensors by the best parameters, in float64. */
    void install(NDManager m, List<NDArray> alphaOut, List<NDArray> betaOut) {
        for (int i = 0; i < alphaOut.size(); i++)
            if (alpha.get(i) != null) alphaOut.set(i, m.create(alpha.get(i), alphaOut.get(i).getShape()).toType(DataType.FLOAT64, false));
        for (int i = 0; i < betaOut.size(); i++)
            if (beta.get(i) != null) betaOut.set(i, m.create(beta.get(i), betaOut.get(i).getShape()).toType(DataType.FLOAT64, false));
    }
}
