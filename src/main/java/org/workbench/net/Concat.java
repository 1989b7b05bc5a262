package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.List;

/**
 * Its inputs joined along {@code axis} (0 is the first non-batch dimension, the channels of [C, H, W]). An index
 * map, so its rules are exact: intervals join, back-substitution cuts the coefficients into the inputs' parts, the
 * encoding reuses the inputs' variables in the output's order.
 */
public record Concat(int axis, int inputs) implements Layer {
    public Concat {
        if (axis < 0 || inputs < 1) throw new IllegalArgumentException("concat needs axis >= 0 and at least one input");
    }

    @Override
    public String type() {
        return "concat";
    }

    @Override
    public int arity() {
        return inputs;
    }

    @Override
    public int[] outputShape(int[] in) {
        return outputShape(List.of(in));
    }

    @Override
    public int[] outputShape(List<int[]> in) {
        if (in.size() != inputs) throw new IllegalArgumentException("concat expects " + inputs + " inputs, got " + in.size());
        int[] out = in.get(0).clone();
        if (axis >= out.length) throw new IllegalArgumentException("concat axis " + axis + " outside " + Layer.show(out));
        for (int i = 1; i < in.size(); i++) {
            int[] s = in.get(i);
            boolean fits = s.length == out.length;
            for (int d = 0; fits && d < s.length; d++) fits = d == axis || s[d] == out[d];
            if (!fits) throw new IllegalArgumentException("concat inputs " + in.stream().map(Layer::show).toList()
                    + " differ outside axis " + axis);
            out[axis] += s[axis];
        }
        return out;
    }

    @Override
    public NDArray forward(NDArray x, NDList p) {
        return forward(List.of(x), p);
    }

    @Override
    public NDArray forward(List<NDArray> in, NDList p) {
        return in.size() == 1 ? in.get(0) : NDArrays.concat(new NDList(in), axis + 1);
    }

    @Override
    public boolean affine() {
        return true;
    }

    @Override
    public NDArray[] interval(NDArray lo, NDArray hi, NDList p) {
        return new NDArray[] {lo, hi};
    }

    @Override
    public NDArray[] interval(List<NDArray[]> in, NDList p) {
        return new NDArray[] {forward(in.stream().map(b -> b[0]).toList(), p), forward(in.stream().map(b -> b[1]).toList(), p)};
    }

    @Override
    public NDArray[] backward(NDArray lambda, NDList p, NDArray lo, NDArray hi, NDArray lowerSlope) {
        return new NDArray[] {lambda, lambda.getManager().zeros(new ai.djl.ndarray.types.Shape(lambda.getShape().get(0),
                lambda.getShape().get(1)), lambda.getDataType())};
    }

    /** Coefficients [B, S, ...] cut along the joined axis (which sits two places later, after batch and rows). */
    @Override
    public List<NDArray> backwardJoin(NDArray lambda, List<int[]> inShapes) {
        List<NDArray> parts = new java.util.ArrayList<>();
        String lead = ":, :, " + ":, ".repeat(axis);
        int from = 0;
        for (int[] s : inShapes) {
            parts.add(lambda.get(lead + from + ":" + (from + s[axis])));
            from += s[axis];
        }
        return parts;
    }

    @Override
    public int[] encode(LinearProgram lp, int[] in, int[] inShape, double[] inLo, double[] inHi, boolean exact) {
        return in;
    }

    /** Row-major: for each index before the axis, each input's block (its axis length times the inner size) in turn. */
    @Override
    public int[] encode(LinearProgram lp, List<int[]> in, List<int[]> inShapes, List<double[]> inLo, List<double[]> inHi,
                        boolean exact) {
        int outer = 1, inner = 1, total = 0;
        int[] first = inShapes.get(0);
        for (int d = 0; d < axis; d++) outer *= first[d];
        for (int d = axis + 1; d < first.length; d++) inner *= first[d];
        for (int[] v : in) total += v.length;
        int[] out = new int[total];
        int k = 0;
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < in.size(); j++) {
                int block = inShapes.get(j)[axis] * inner;
                System.arraycopy(in.get(j), o * block, out, k, block);
                k += block;
            }
        return out;
    }
}
