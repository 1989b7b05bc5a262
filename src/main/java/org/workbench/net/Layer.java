package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.List;

/**
 * One layer of a feed-forward network. Shapes exclude the batch dimension. Parameters are kept as
 * float64 arrays (the master copy every bound is computed from); {@link #forward} runs the layer in
 * DJL on parameter tensors made from them by {@link TorchNet}.
 */
public sealed interface Layer permits Linear, Conv2d, Relu, Flatten, Normalize {

    /** The short name used in architecture files ("linear", "conv2d", ...). */
    String type();

    /** Output shape for the given input shape; throws IllegalArgumentException when they do not fit. */
    int[] outputShape(int[] in);

    /** Named parameters in a fixed order (for example weight then bias); empty for parameter-free layers. */
    default List<Param> params() {
        return List.of();
    }

    /** The same layer with new parameter values, in the order of {@link #params()}. */
    default Layer withParams(List<double[]> values) {
        return this;
    }

    /** Runs the layer on a batch; {@code p} holds the tensors of {@link #params()} in order. */
    NDArray forward(NDArray x, NDList p);

    /** A named parameter tensor: its shape and its float64 values (row-major). */
    record Param(String name, long[] shape, double[] values, boolean trainable) {
        public Param(String name, long[] shape, double[] values) {
            this(name, shape, values, true);
        }

        public long size() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }
    }

    static int size(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    static String show(int[] shape) {
        return java.util.Arrays.toString(shape);
    }
}
