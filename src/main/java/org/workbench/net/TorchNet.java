package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A {@link Network} with its parameters placed as DJL tensors of one data type (float32 for attacks and
 * training, float64 for checks). Owns its manager: close it when done.
 */
public final class TorchNet implements AutoCloseable {
    private final Network net;
    private final NDManager manager;
    private final DataType dtype;
    private final List<NDList> params = new ArrayList<>();
    private final boolean chain;
    /** For each value, the last layer that reads it (in a graph, values are released after it). */
    private final int[] lastReader;
    /**
     * The first convolution, whose input gradient {@link #inputGradient} takes from its transpose, when the layers up
     * to it form a chain (each value read by the next layer only, as a ResNet's stem); or -1.
     */
    private final int cut;

    public TorchNet(Network net, NDManager parent, DataType dtype) {
        this.net = net;
        this.manager = parent.newSubManager();
        this.dtype = dtype;
        this.chain = net.isChain();
        this.lastReader = new int[net.layers().size() + 1];
        for (int i = 0; i < net.layers().size(); i++) for (int v : net.inputs().get(i)) lastReader[v] = i;
        this.cut = firstConvolution(net);
        for (Layer l : net.layers()) {
            NDList p = new NDList();
            for (Layer.Param q : l.params()) p.add(tensor(q.values(), q.shape()));
            params.add(p);
        }
    }

    private static int firstConvolution(Network net) {
        int[] readers = new int[net.layers().size() + 1];
        for (int[] in : net.inputs()) for (int v : in) readers[v]++;
        for (int i = 0; i < net.layers().size(); i++) {
            int[] in = net.inputs().get(i);
            if (in.length != 1 || in[0] != i || readers[i] != 1) return -1;
            if (net.layers().get(i) instanceof Conv2d) return i;
        }
        return -1;
    }

    private NDArray tensor(double[] v, long[] shape) {
        NDArray a = manager.create(v, new Shape(shape));
        return dtype == DataType.FLOAT64 ? a : a.toType(dtype, false);
    }

    public Network network() {
        return net;
    }

    public DataType dtype() {
        return dtype;
    }

    public NDManager manager() {
        return manager;
    }

    /** Parameter tensors of each layer, in layer order (the trainer updates these in place). */
    public List<NDList> params() {
        return params;
    }

    /** Logits for a batch shaped [B, ...inputShape]. Results belong to x's manager. */
    public NDArray forward(NDArray x) {
        return run(x, false);
    }

    /**
     * The network on a batch, layer by layer in wiring order; a value is dropped once its last reader has run. With
     * {@code torchRelu}, ReLU runs as torch's relu.
     */
    private NDArray run(NDArray x, boolean torchRelu) {
        return runFrom(0, x, torchRelu);
    }

    /** The layers from {@code first} on, x being their first one's input (no later layer may read an earlier value). */
    private NDArray runFrom(int first, NDArray x, boolean torchRelu) {
        List<Layer> layers = net.layers();
        if (chain) {
            NDArray h = x;
            for (int i = first; i < layers.size(); i++) h = step(i, List.of(h), torchRelu);
            return h;
        }
        NDArray[] values = new NDArray[layers.size() + 1];
        values[first] = x;
        for (int i = first; i < layers.size(); i++) {
            int[] in = net.inputs().get(i);
            List<NDArray> args = new ArrayList<>(in.length);
            for (int v : in) args.add(values[v]);
            values[i + 1] = step(i, args, torchRelu);
            for (int v : in) if (lastReader[v] == i) values[v] = null;
        }
        return values[layers.size()];
    }

    private NDArray step(int i, List<NDArray> args, boolean torchRelu) {
        Layer l = net.layers().get(i);
        if (torchRelu && l instanceof Relu) return args.get(0).getNDArrayInternal().relu();
        return args.size() == 1 ? l.forward(args.get(0), params.get(i)) : l.forward(args, params.get(i));
    }

    /**
     * The logits of {@link #forward}, bit for bit, with each ReLU as torch's relu: max(x, 0) against a scalar costs
     * two extra native calls (the scalar is a tensor made and freed each time), and relu's forward values are the
     * same. For evaluation, and for training: relu's gradient is 0 at 0, as PyTorch trains, and its backward is one
     * pass over the activations where max(x, 0)'s is five.
     */
    public NDArray evaluate(NDArray x) {
        return run(x, true);
    }

    /**
     * The gradient of {@code objective(logits)} (summed over the batch) with respect to the input, and the
     * logits at x. The objective must return a scalar.
     */
    public Grad inputGradient(NDArray x, Function<NDArray, NDArray> objective) {
        return inputGradient(x, objective, true);
    }

    /**
     * As above; without {@code withLoss} the objective's value is not read back (Grad.loss is NaN), which saves
     * a conversion and a copy to Java per call.
     *
     * <p>Each ReLU runs as torch's relu, whose gradient at an input of exactly 0 is 0, as PyTorch's (max(x, 0),
     * {@link #forward}'s ReLU, would give 1/2 there and cost five passes over the activations instead of one). At a
     * kink there is no gradient to be exact about, and an attack only needs a direction; checking every step for
     * exact zeros to reproduce max's 1/2 cost 18 % of PGD's time on the shipped CNN (bench/pgd_benchmark.sh).
     */
    public Grad inputGradient(NDArray x, Function<NDArray, NDArray> objective, boolean withLoss) {
        // A detached alias of x, not a copy: it shares x's data but not its autograd state, and nothing writes to it.
        NDArray xi = x.stopGradient();
        xi.setRequiresGradient(true);
        // Grad mode of this thread only, as DJL's collector sets it, without the collector's process-wide lock: two
        // threads (Spark's tasks in one executor, say) may attack at once.
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
        try {
            Pass pass = cut < 0 ? wholeGraph(xi, objective) : throughCut(xi, objective);
            NDArray grad = pass.gradient();
            double value = withLoss ? pass.loss().toType(DataType.FLOAT64, false).getDouble() : Double.NaN;
            boolean[] bad = nonFiniteRows(grad);
            if (bad != null) grad = zeroRows(grad, bad);
            return new Grad(grad, pass.logits().stopGradient(), value, bad);
        } finally {
            if (!gradMode) JniUtils.setGradMode(false);
        }
    }

    /** One forward and backward pass: the logits, the objective's value and the gradient at the input. */
    private record Pass(NDArray logits, NDArray loss, NDArray gradient) {}

    /** The input gradient by autograd through the whole network. */
    private Pass wholeGraph(NDArray xi, Function<NDArray, NDArray> objective) {
        NDArray logits = evaluate(xi);
        NDArray loss = objective.apply(logits);
        backward(loss, loss.onesLike());
        return new Pass(logits, loss, xi.getGradient());
    }

    /**
     * The input gradient with the first convolution differentiated by its transpose ({@link Conv2d#transpose}),
     * the layers before it and those after it by autograd, each part from a leaf of its own. Why: libtorch 2.7.1's
     * oneDNN runs a strided convolution's input gradient on a kernel (brgconv_strided) that took 3 to 5 ms per PGD
     * step of batch 128 for the shipped CNN's first layer (one input channel), against 1.3 ms for torch 1.13's; with
     * the transpose instead, 40 PGD steps took 203 ms against 261 ms (bench/pgd_benchmark.sh). The second layer's
     * transpose (16 input channels) lost to oneDNN: 240 ms with both layers cut.
     */
    private Pass throughCut(NDArray xi, Function<NDArray, NDArray> objective) {
        List<Layer> layers = net.layers();
        NDArray u = xi;
        for (int i = 0; i < cut; i++) u = step(i, List.of(u), true);
        NDArray leaf = step(cut, List.of(u.stopGradient()), true).stopGradient();
        leaf.setRequiresGradient(true);
        NDArray logits = runFrom(cut + 1, leaf, true);
        NDArray loss = objective.apply(logits);
        backward(loss, loss.onesLike());
        NDArray g = ((Conv2d) layers.get(cut)).transpose(leaf.getGradient(), params.get(cut).get(0), u.getShape().get(2), u.getShape().get(3));
        if (u == xi) return new Pass(logits, loss, g);
        backward(u, g);
        return new Pass(logits, loss, xi.getGradient());
    }

    private static void backward(NDArray out, NDArray gradOut) {
        JniUtils.backward((PtNDArray) out, (PtNDArray) gradOut, false, false);
    }

    /**
     * Which rows of a batch hold a NaN or infinite value, or null when none does (one sum read back decides the
     * common case: the sum of finite float32 values can overflow only past 3e38, and then rows are checked too).
     * A sign step would turn NaN into a zero step, and a normalized step spread it over the row, so a non-finite
     * gradient is caught here rather than used.
     */
    static boolean[] nonFiniteRows(NDArray a) {
        NDArray sum = a.sum();
        double total = sum.getDataType() == DataType.FLOAT64 ? sum.getDouble() : sum.getFloat();
        if (Double.isFinite(total)) return null;
        int b = (int) a.getShape().get(0);
        double[] v = a.toType(DataType.FLOAT64, false).toDoubleArray();
        int d = v.length / b;
        boolean[] bad = new boolean[b];
        for (int i = 0; i < b; i++)
            for (int k = 0; k < d && !bad[i]; k++) bad[i] = !Double.isFinite(v[i * d + k]);
        return bad;
    }

    /** The rows marked in bad set to 0 (by where, since NaN times 0 stays NaN; DJL's where does not broadcast). */
    private static NDArray zeroRows(NDArray a, boolean[] bad) {
        int d = (int) (a.getShape().size() / bad.length);
        boolean[] keep = new boolean[bad.length * d];
        for (int i = 0; i < bad.length; i++) java.util.Arrays.fill(keep, i * d, (i + 1) * d, !bad[i]);
        return ai.djl.ndarray.NDArrays.where(a.getManager().create(keep, a.getShape()), a, a.zerosLike());
    }

    /**
     * Logits for plain-Java inputs (one row per sample, flattened), computed in this net's data type, in blocks of
     * rows whose widest layer holds about {@link #BLOCK_VALUES} values: a falsifier's 2,048 samples through a
     * 32x27x27 convolution and its pooling made gathers of hundreds of MB, whose fresh pages the kernel zeroes on
     * every use.
     */
    public double[][] logits(double[][] inputs) {
        long widest = 1;
        for (int[] s : net.shapes()) widest = Math.max(widest, Layer.size(s));
        int rows = (int) Math.max(1, Math.min(inputs.length, BLOCK_VALUES / widest));
        if (inputs.length <= rows) return logitsAtOnce(inputs);
        double[][] out = new double[inputs.length][];
        for (int from = 0; from < inputs.length; from += rows) {
            double[][] part = logitsAtOnce(java.util.Arrays.copyOfRange(inputs, from, Math.min(inputs.length, from + rows)));
            System.arraycopy(part, 0, out, from, part.length);
        }
        return out;
    }

    static final long BLOCK_VALUES = 1L << 21;

    private double[][] logitsAtOnce(double[][] inputs) {
        if (inputs.length == 0) return new double[0][];
        int d = inputs[0].length;
        double[] flat = new double[inputs.length * d];
        for (int i = 0; i < inputs.length; i++) System.arraycopy(inputs[i], 0, flat, i * d, d);
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.create(flat, batchShape(inputs.length));
            if (dtype != DataType.FLOAT64) x = x.toType(dtype, false);
            double[] out = evaluate(x).toType(DataType.FLOAT64, false).toDoubleArray();
            int c = out.length / inputs.length;
            double[][] rows = new double[inputs.length][c];
            for (int i = 0; i < inputs.length; i++) System.arraycopy(out, i * c, rows[i], 0, c);
            return rows;
        }
    }

    /** The network's current parameters, read back from the tensors (after training). */
    public Network snapshot() {
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < net.layers().size(); i++) {
            List<double[]> v = new ArrayList<>();
            for (NDArray a : params.get(i)) {
                if (a.getDataType() == DataType.FLOAT64) {
                    v.add(a.toDoubleArray());
                    continue;
                }
                // A converted copy, freed here rather than left in the network's manager at every snapshot.
                try (NDArray d = a.toType(DataType.FLOAT64, false)) {
                    v.add(d.toDoubleArray());
                }
            }
            layers.add(net.layers().get(i).withParams(v));
        }
        return net.withLayers(layers);
    }

    /** Batch shape [B, ...inputShape]. */
    public Shape batchShape(long batch) {
        long[] s = new long[net.inputShape().length + 1];
        s[0] = batch;
        for (int i = 0; i < net.inputShape().length; i++) s[i + 1] = net.inputShape()[i];
        return new Shape(s);
    }

    @Override
    public void close() {
        manager.close();
    }

    /**
     * Input gradient, logits (detached) and objective value of one evaluation. Rows whose gradient was not finite
     * are marked in {@code nonFinite} (null when none was) and hold 0 in {@code gradient}: no step moves them.
     */
    public record Grad(NDArray gradient, NDArray logits, double loss, boolean[] nonFinite) {}
}
