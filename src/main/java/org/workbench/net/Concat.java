package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.List;

/** Its inputs joined along {@code axis} (0 is the first non-batch dimension, the channels of [C, H, W]). */
public record Concat(int axis, int inputs) implements AttackOnly {
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
}
