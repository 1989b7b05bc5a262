package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.List;

/**
 * One layer of a feed-forward network. Shapes exclude the batch dimension. Parameters are kept as
 * float64 arrays (the master copy every bound is computed from); {@link #forward} runs the layer in
 * DJL on parameter tensors made from them by {@link TorchNet}.
 */
public sealed interface Layer permits Linear, Conv2d, Relu, Flatten, Normalize, MaxPool, AvgPool, BatchNorm, Reshape, Add, Concat, Transpose, GeneralConv, AttackOnly {

    /** The short name used in architecture files ("linear", "conv2d", ...). */
    String type();

    /** Output shape for the given input shape; throws IllegalArgumentException when they do not fit. */
    int[] outputShape(int[] in);

    /** How many values the layer reads: 1, except for the joins of a graph (Add reads 2, Concat n). */
    default int arity() {
        return 1;
    }

    /** Output shape for the shapes of all inputs (in wiring order). */
    default int[] outputShape(List<int[]> in) {
        return outputShape(in.get(0));
    }

    /** Runs the layer on its inputs (each batch first); single-input layers take the first. */
    default NDArray forward(List<NDArray> in, NDList p) {
        return forward(in.get(0), p);
    }

    /**
     * Whether {@link #interval}, {@link #backward} and {@link #encode} are implemented. Layers that only attacks can
     * use ({@link AttackOnly}) say no, and the relaxation and exact solvers refuse networks holding them.
     */
    default boolean hasBoundRules() {
        return true;
    }

    /**
     * Whether the layer is affine (its linear rule exact, its interval rule exact for one layer): CROWN skips
     * back-substitution before the first layer that is not. False unless a layer says so, which only costs time.
     */
    default boolean affine() {
        return false;
    }

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

    /**
     * Interval rule: elementwise bounds {lo', hi'} of the output for every input in [lo, hi] (batch first).
     * Affine layers use centre and radius (W c + b, |W| r), which is exact for one layer.
     */
    NDArray[] interval(NDArray lo, NDArray hi, NDList p);

    /** Interval rule over all inputs ({lo, hi} each, in wiring order); single-input layers use the first. */
    default NDArray[] interval(List<NDArray[]> in, NDList p) {
        return interval(in.get(0)[0], in.get(0)[1], p);
    }

    /**
     * Linear-bound rule of a join (a layer reading several values; Add and Concat are linear): for coefficients
     * {@code lambda} [B, S, ...output shape], the coefficients on each input (shapes {@code inShapes}, wiring order)
     * with lambda·out = Σ_j lambdaIn_j·in_j exactly, so there is no offset.
     */
    default List<NDArray> backwardJoin(NDArray lambda, List<int[]> inShapes) {
        throw new UnsupportedOperationException(type() + " reads one value");
    }

    /** Constraint rule over all inputs (wiring order); single-input layers use the first. See {@link #encode(LinearProgram, int[], int[], double[], double[], boolean)}. */
    default int[] encode(LinearProgram lp, List<int[]> in, List<int[]> inShapes, List<double[]> inLo, List<double[]> inHi,
                         boolean exact) {
        return encode(lp, in.get(0), inShapes.get(0), inLo.get(0), inHi.get(0), exact);
    }

    /**
     * Linear-bound rule (back-substitution, as in CROWN/DeepPoly): for coefficients {@code lambda} [B, S, ...output
     * shape] of a linear function of this layer's output, returns {lambdaIn [B, S, ...input shape], offset [B, S]}
     * with lambda·out(x) <= lambdaIn·x + offset for every input x in [lo, hi]. Exact (equality) for affine layers;
     * ReLU relaxes, using {@code lowerSlope} (broadcastable to lambda, null for the adaptive choice) on unstable
     * neurons whose coefficient is negative. {@code lo}/{@code hi} are this layer's input bounds.
     */
    NDArray[] backward(NDArray lambda, NDList p, NDArray lo, NDArray hi, NDArray lowerSlope);

    /**
     * Columns idx of flat [N, d] with a zero column d appended, as [N, idx.length] (an index d reads 0): the gather
     * {@link ConvIndex} uses for padding, for code outside this package.
     */
    static NDArray columnsWithZero(NDArray flat, long[] idx) {
        return ConvIndex.gather(flat, idx);
    }

    /**
     * {@code derived} (an op on a parameter tensor) moved to the manager of {@code owner}. An op's result belongs to
     * its first operand's manager, which for a parameter is the network's, alive for the whole run: without this,
     * every batch would leave its |W| or reshaped view there (IBP over 10,000 images and certified training grew by
     * gigabytes).
     */
    static NDArray local(NDArray derived, NDArray owner) {
        derived.attach(owner.getManager());
        return derived;
    }

    /** Reshapes per-sample values [B, n] to [B, 1, ...] so they broadcast against [B, S, ...] coefficients. */
    static NDArray perSpec(NDArray a) {
        long[] s = a.getShape().getShape();
        long[] out = new long[s.length + 1];
        out[0] = s[0];
        out[1] = 1;
        System.arraycopy(s, 1, out, 2, s.length - 1);
        return a.reshape(new ai.djl.ndarray.types.Shape(out));
    }

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

    /**
     * Constraint rule (LP and MIP encodings): adds this layer's constraints to {@code lp} for the input variables
     * {@code in} (one per input element, row-major) whose values lie in [inLo, inHi], and returns the output
     * variables (one per output element, row-major). With {@code exact} false the encoding is a sound relaxation
     * (ReLU: the triangle); with {@code exact} true ReLU adds a binary and big-M constraints, so that the
     * feasible set is exactly the layer's graph over the box.
     */
    int[] encode(LinearProgram lp, int[] in, int[] inShape, double[] inLo, double[] inHi, boolean exact);
}
