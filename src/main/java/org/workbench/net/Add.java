package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.Arrays;
import java.util.List;

/**
 * The sum of two values of the same shape: the join of a residual branch and its shortcut. Its rules are exact:
 * the interval adds the ends, back-substitution hands the same coefficients to both inputs (the two branches are
 * then walked back separately and meet again where they split), and the encoding ties one variable per element
 * to the sum.
 */
public record Add() implements Layer {
    @Override
    public String type() {
        return "add";
    }

    @Override
    public int arity() {
        return 2;
    }

    @Override
    public boolean affine() {
        return true;
    }

    @Override
    public int[] outputShape(int[] in) {
        throw new IllegalArgumentException("add takes two inputs");
    }

    @Override
    public int[] outputShape(List<int[]> in) {
        if (in.size() != 2 || !Arrays.equals(in.get(0), in.get(1)))
            throw new IllegalArgumentException("add needs two inputs of the same shape, got "
                    + in.stream().map(Layer::show).toList());
        return in.get(0).clone();
    }

    @Override
    public NDArray forward(NDArray x, NDList p) {
        throw new IllegalStateException("add takes two inputs");
    }

    @Override
    public NDArray forward(List<NDArray> in, NDList p) {
        return in.get(0).add(in.get(1));
    }

    @Override
    public NDArray[] interval(NDArray lo, NDArray hi, NDList p) {
        throw new IllegalStateException("add takes two inputs");
    }

    @Override
    public NDArray[] interval(List<NDArray[]> in, NDList p) {
        return new NDArray[] {in.get(0)[0].add(in.get(1)[0]), in.get(0)[1].add(in.get(1)[1])};
    }

    @Override
    public NDArray[] backward(NDArray lambda, NDList p, NDArray lo, NDArray hi, NDArray lowerSlope) {
        throw new IllegalStateException("add takes two inputs");
    }

    @Override
    public List<NDArray> backwardJoin(NDArray lambda, List<int[]> inShapes) {
        return List.of(lambda, lambda);
    }

    @Override
    public int[] encode(LinearProgram lp, int[] in, int[] inShape, double[] inLo, double[] inHi, boolean exact) {
        throw new IllegalStateException("add takes two inputs");
    }

    /** One variable per element, y = a + b, bounded by the sum of the ends (with their rounding allowance). */
    @Override
    public int[] encode(LinearProgram lp, List<int[]> in, List<int[]> inShapes, List<double[]> inLo, List<double[]> inHi,
                        boolean exact) {
        int[] a = in.get(0), b = in.get(1);
        int[] y = new int[a.length];
        int[] pos = {0, 1};
        double[] w = {1, 1};
        for (int k = 0; k < a.length; k++)
            y[k] = lp.affine(new int[] {a[k], b[k]}, pos, w, 2, 0,
                    new double[] {inLo.get(0)[k], inLo.get(1)[k]}, new double[] {inHi.get(0)[k], inHi.get(1)[k]});
        return y;
    }
}
