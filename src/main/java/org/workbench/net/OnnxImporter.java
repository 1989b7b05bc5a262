package org.workbench.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.workbench.config.InputError;
import org.workbench.net.OnnxProto.Node;
import org.workbench.net.OnnxProto.Tensor;
import org.workbench.net.OnnxProto.ValueInfo;

/**
 * Reads a feed-forward ONNX network (a single chain of nodes from the graph input to the graph output) into
 * a float64 {@link Network}. Constant Add/Sub/Mul/Div are not kept as layers: right after Gemm/MatMul/Conv
 * they are folded into that layer's weights, and on the graph input they become a {@link Normalize} (when
 * per channel) or are folded into the first Gemm/MatMul, so that perturbations stay in input space.
 */
public final class OnnxImporter {
    static final List<String> SUPPORTED =
            List.of("Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Flatten", "Reshape", "Conv", "Constant");

    private final Path file;
    private final OnnxProto.Graph graph;
    private final Map<String, Tensor> constants = new HashMap<>();
    private final List<Layer> layers = new ArrayList<>();
    private int[] inputShape;
    private int[] shape;
    private String current;
    /** Until the first Relu or parametrised layer, elementwise constants accumulate as (x - mean) / std. */
    private boolean inputStage = true;
    private double[] inMean, inStd;
    /** True while the chain value is the direct output of the last layer, a Linear or Conv2d. */
    private boolean foldable;

    private OnnxImporter(Path file, OnnxProto.Graph graph) {
        this.file = file;
        this.graph = graph;
    }

    /** Loads an ONNX file; every problem with the file is reported as an {@link InputError} naming it. */
    public static Network load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw InputError.at(file, "ONNX file not found");
        } catch (IOException e) {
            throw InputError.at(file, "cannot read the ONNX file: " + e.getMessage());
        }
        OnnxProto.Graph g;
        try {
            g = OnnxProto.parseModel(bytes);
        } catch (OnnxProto.Malformed e) {
            throw InputError.at(file, "not a readable ONNX model: " + e.getMessage());
        }
        try {
            return new OnnxImporter(file, g).convert();
        } catch (IllegalArgumentException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            // Shapes that contradict each other inside the file (the common cases have their own messages).
            throw InputError.at(file, "inconsistent ONNX graph: " + e.getMessage());
        }
    }

    private InputError error(String message) {
        return InputError.at(file, message);
    }

    private Network convert() {
        constants.putAll(graph.initializers());
        List<ValueInfo> inputs = graph.inputs().stream().filter(v -> !constants.containsKey(v.name())).toList();
        if (inputs.size() != 1)
            throw error("expected one graph input besides the initializers, found "
                    + inputs.stream().map(ValueInfo::name).toList());
        ValueInfo in = inputs.get(0);
        if (in.dims() == null || in.dims().length == 0) throw error("graph input '" + in.name() + "' has no shape");
        // The leading dimension is the batch (symbolic, or 1 in the VNN-COMP nets) unless it is the only one.
        long[] d = in.dims().length > 1 ? Arrays.copyOfRange(in.dims(), 1, in.dims().length) : in.dims();
        inputShape = new int[d.length];
        for (int i = 0; i < d.length; i++) {
            if (d[i] <= 0 || d[i] > Integer.MAX_VALUE)
                throw error("graph input '" + in.name() + "' has dims " + Arrays.toString(in.dims())
                        + "; only the leading (batch) dimension may be symbolic");
            inputShape[i] = (int) d[i];
        }
        shape = inputShape.clone();
        current = in.name();
        inMean = new double[Layer.size(inputShape)];
        inStd = new double[inMean.length];
        Arrays.fill(inStd, 1);

        List<Node> nodes = graph.nodes();
        // An unsupported operator is the most useful thing to report, so look for one before walking the chain.
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (!(n.domain().isEmpty() || n.domain().equals("ai.onnx")) || !SUPPORTED.contains(n.opType()))
                throw error("unsupported ONNX operator '" + (n.domain().isEmpty() ? "" : n.domain() + ".") + n.opType()
                        + "' (node " + label(n, i) + "); supported: " + String.join(", ", SUPPORTED));
        }
        for (int i = 0; i < nodes.size(); i++) step(nodes.get(i), label(nodes.get(i), i));

        if (graph.outputs().size() != 1)
            throw error("expected one graph output, found " + graph.outputs().stream().map(ValueInfo::name).toList());
        ValueInfo out = graph.outputs().get(0);
        if (!out.name().equals(current))
            throw error("the chain of nodes from the graph input ends at '" + current + "', not at the graph output '"
                    + out.name() + "'; only single-chain feed-forward graphs are supported");
        materializeInput(null, null);
        if (shape.length != 1) throw error("the network ends in shape " + Layer.show(shape) + ", expected flat logits");
        long last = out.dims() == null || out.dims().length == 0 ? -1 : out.dims()[out.dims().length - 1];
        if (last > 0 && last != shape[0])
            throw error("the graph output '" + out.name() + "' declares " + last + " values but the imported chain gives "
                    + shape[0]);
        try {
            return new Network(inputShape, layers);
        } catch (IllegalArgumentException e) {
            throw error("the imported network is inconsistent: " + e.getMessage());
        }
    }

    private static String label(Node n, int index) {
        if (!n.name().isEmpty()) return n.name();
        return "#" + index + (n.outputs().isEmpty() ? "" : " -> '" + n.outputs().get(0) + "'");
    }

    private void step(Node n, String label) {
        String op = n.opType();
        String where = "node " + label + " (" + op + ")";
        if (n.outputs().isEmpty()) throw error(where + " has no output");
        if (op.equals("Constant")) {
            Tensor value = OnnxProto.constantValue(n);
            if (value == null) throw error(where + " has no value this importer reads (value, value_float(s), value_int(s))");
            constants.put(n.outputs().get(0), value);
            return;
        }
        List<String> data = n.inputs().stream().filter(s -> !s.isEmpty() && !constants.containsKey(s)).toList();
        if (data.size() != 1 || !data.get(0).equals(current))
            throw error(where + " reads " + data + " while the chain from the graph input is at '" + current
                    + "'; only single-chain feed-forward graphs are supported");
        if (!n.inputs().get(0).equals(current) && !(op.equals("Add") || op.equals("Sub") || op.equals("Mul")))
            throw error(where + " takes the data as input " + (n.inputs().indexOf(current) + 1) + "; expected input 1");
        switch (op) {
            case "Relu" -> {
                materializeInput(null, null);
                layers.add(new Relu());
                foldable = false;
                inputStage = false;
            }
            case "Flatten" -> {
                long axis = n.intAttr("axis", 1);
                if (axis != 1 && axis != 1 - (shape.length + 1))
                    throw error(where + ": attribute 'axis' = " + axis + " is not supported (only 1, keeping the batch)");
                flatten();
            }
            case "Reshape" -> reshape(n, where);
            case "Gemm" -> gemm(n, where);
            case "MatMul" -> matmul(n, where);
            case "Conv" -> conv(n, where);
            default -> elementwise(n, where);
        }
        current = n.outputs().get(0);
    }

    private void flatten() {
        if (shape.length == 1) return;
        layers.add(new Flatten());
        shape = new int[] {Layer.size(shape)};
        foldable = false;
    }

    private void reshape(Node n, String where) {
        long[] t = Arrays.stream(constantInput(n, 1, where, "shape").data()).mapToLong(v -> (long) v).toArray();
        int size = Layer.size(shape);
        boolean flat = t.length == 2 && (t[0] == 1 || t[0] == 0 || t[0] == -1) && (t[1] == size || t[1] == -1)
                && !(t[0] == -1 && t[1] == -1);
        if (!flat)
            throw error(where + ": reshape of " + Layer.show(shape) + " to " + Arrays.toString(t)
                    + " is not supported; only flattening reshapes to [batch, -1] or [1, N] are");
        flatten();
    }

    private void gemm(Node n, String where) {
        if (n.intAttr("transA", 0) != 0) throw error(where + ": attribute 'transA' = 1 is not supported");
        boolean transB = n.intAttr("transB", 0) != 0;
        double alpha = n.floatAttr("alpha", 1), beta = n.floatAttr("beta", 1);
        Tensor b = constantInput(n, 1, where, "weight");
        if (b.dims().length != 2) throw error(where + ": weight has dims " + Arrays.toString(b.dims()) + ", expected 2");
        if (shape.length != 1) throw error(where + " expects a flat input, got " + Layer.show(shape));
        int k = shape[0];
        int n0 = (int) b.dims()[0], n1 = (int) b.dims()[1];
        int out = transB ? n0 : n1;
        if ((transB ? n1 : n0) != k)
            throw error(where + ": weight dims " + Arrays.toString(b.dims()) + " do not fit the input size " + k
                    + (transB ? " (transB = 1)" : ""));
        double[] w = new double[out * k];
        for (int o = 0; o < out; o++)
            for (int j = 0; j < k; j++) w[o * k + j] = alpha * (transB ? b.data()[o * k + j] : b.data()[j * out + o]);
        double[] bias = new double[out];
        if (n.inputs().size() > 2 && !n.inputs().get(2).isEmpty()) {
            double[] c = broadcast(constantInput(n, 2, where, "bias"), new int[] {out}, where);
            for (int o = 0; o < out; o++) bias[o] = beta * c[o];
        }
        addLinear(k, out, w, bias);
    }

    private void matmul(Node n, String where) {
        Tensor b = constantInput(n, 1, where, "weight");
        if (b.dims().length != 2) throw error(where + ": weight has dims " + Arrays.toString(b.dims()) + ", expected 2");
        int k = (int) b.dims()[0], out = (int) b.dims()[1];
        if (shape[shape.length - 1] != k || Layer.size(shape) != k)
            throw error(where + ": weight dims " + Arrays.toString(b.dims()) + " do not fit the input " + Layer.show(shape));
        flatten(); // leading unit dimensions only, checked above
        double[] w = new double[out * k];
        for (int o = 0; o < out; o++)
            for (int j = 0; j < k; j++) w[o * k + j] = b.data()[j * out + o];
        addLinear(k, out, w, new double[out]);
    }

    private void addLinear(int in, int out, double[] w, double[] bias) {
        materializeInput(w, bias);
        layers.add(new Linear(in, out, w, bias));
        shape = new int[] {out};
        foldable = true;
        inputStage = false;
    }

    private void conv(Node n, String where) {
        Tensor wt = constantInput(n, 1, where, "weight");
        if (wt.dims().length != 4) throw error(where + ": only 2-d convolutions are supported, weight dims "
                + Arrays.toString(wt.dims()));
        int m = (int) wt.dims()[0], c = (int) wt.dims()[1], kh = (int) wt.dims()[2], kw = (int) wt.dims()[3];
        if (shape.length != 3 || shape[0] != c)
            throw error(where + ": weight dims " + Arrays.toString(wt.dims()) + " do not fit the input " + Layer.show(shape));
        String autoPad = n.attrs().containsKey("auto_pad") ? n.attrs().get("auto_pad").s() : "";
        if (!autoPad.isEmpty() && !autoPad.equals("NOTSET"))
            throw error(where + ": attribute 'auto_pad' = " + autoPad + " is not supported; give explicit pads");
        if (n.intAttr("group", 1) != 1) throw error(where + ": attribute 'group' = " + n.intAttr("group", 1)
                + " is not supported (only 1)");
        List<Long> dil = n.intsAttr("dilations", List.of(1L, 1L));
        if (dil.stream().anyMatch(v -> v != 1)) throw error(where + ": attribute 'dilations' = " + dil + " is not supported (only 1)");
        List<Long> strides = n.intsAttr("strides", List.of(1L, 1L));
        if (strides.size() != 2 || !strides.get(0).equals(strides.get(1)))
            throw error(where + ": attribute 'strides' = " + strides + " is not supported (need equal strides)");
        List<Long> pads = n.intsAttr("pads", List.of(0L, 0L, 0L, 0L));
        if (pads.size() != 4 || pads.stream().distinct().count() != 1)
            throw error(where + ": attribute 'pads' = " + pads + " is not supported (need the same padding on all sides)");
        List<Long> ks = n.intsAttr("kernel_shape", List.of((long) kh, (long) kw));
        if (!ks.equals(List.of((long) kh, (long) kw)))
            throw error(where + ": attribute 'kernel_shape' = " + ks + " does not match the weight dims");
        double[] bias = new double[m];
        if (n.inputs().size() > 2 && !n.inputs().get(2).isEmpty())
            bias = broadcast(constantInput(n, 2, where, "bias"), new int[] {m}, where);
        materializeInput(null, null);
        Conv2d layer;
        try {
            layer = new Conv2d(c, m, kh, kw, strides.get(0).intValue(), pads.get(0).intValue(), wt.data(), bias);
            shape = layer.outputShape(shape);
        } catch (IllegalArgumentException e) {
            throw error(where + ": " + e.getMessage());
        }
        layers.add(layer);
        foldable = true;
        inputStage = false;
    }

    /** Add/Sub/Mul/Div by a constant, as y = x * mul + add per element (x / c for Div, kept exact), folded where it can be. */
    private void elementwise(Node n, String where) {
        String op = n.opType();
        if (n.inputs().size() != 2) throw error(where + " needs two inputs");
        boolean dataFirst = n.inputs().get(0).equals(current), div = op.equals("Div");
        double[] c = broadcast(constantInput(n, dataFirst ? 1 : 0, where, "operand"), shape, where);
        double[] mul = new double[c.length], add = new double[c.length];
        for (int i = 0; i < c.length; i++) {
            switch (op) {
                case "Add" -> { mul[i] = 1; add[i] = c[i]; }
                case "Sub" -> { mul[i] = dataFirst ? 1 : -1; add[i] = dataFirst ? -c[i] : c[i]; }
                default -> mul[i] = c[i];
            }
            if (!Double.isFinite(mul[i]) || mul[i] == 0)
                throw error(where + " scales by " + (div ? "1/" : "") + c[i] + "; expected a finite non-zero factor");
        }
        if (foldable && layers.get(layers.size() - 1) instanceof Linear l) {
            double[] w = l.weight().clone(), b = l.bias().clone();
            for (int o = 0; o < l.out(); o++) {
                for (int j = 0; j < l.in(); j++) w[o * l.in() + j] = scale(w[o * l.in() + j], mul[o], div);
                b[o] = scale(b[o], mul[o], div) + add[o];
            }
            layers.set(layers.size() - 1, new Linear(l.in(), l.out(), w, b));
        } else if (foldable && layers.get(layers.size() - 1) instanceof Conv2d cv) {
            int per = c.length / cv.outChannels(), kernel = cv.weight().length / cv.outChannels();
            double[] w = cv.weight().clone(), b = cv.bias().clone();
            for (int o = 0; o < cv.outChannels(); o++) {
                for (int p = 1; p < per; p++)
                    if (mul[o * per + p] != mul[o * per] || add[o * per + p] != add[o * per])
                        throw error(where + ": the constant after Conv differs within a channel; only per-channel constants can be folded");
                for (int j = 0; j < kernel; j++) w[o * kernel + j] = scale(w[o * kernel + j], mul[o * per], div);
                b[o] = scale(b[o], mul[o * per], div) + add[o * per];
            }
            layers.set(layers.size() - 1, new Conv2d(cv.inChannels(), cv.outChannels(), cv.kernelH(), cv.kernelW(),
                    cv.stride(), cv.padding(), w, b));
        } else if (inputStage) {
            // Only Flatten/Reshape came before, so element i here is element i of the graph input. With
            // y = (x - mean) / std: y * m + a = (x - (mean - a * std / m)) / (std / m).
            for (int i = 0; i < c.length; i++) {
                inStd[i] = div ? inStd[i] * mul[i] : inStd[i] / mul[i];
                inMean[i] -= add[i] * inStd[i];
            }
        } else {
            throw error(where + ": a constant " + op + " is supported only on the graph input or right after Gemm, MatMul or Conv");
        }
    }

    private static double scale(double x, double factor, boolean divide) {
        return divide ? x / factor : x * factor;
    }

    /**
     * Turns the accumulated input transformation into a Normalize layer in front (when per channel with positive
     * std) or, when {@code w}/{@code bias} of the Linear about to be added are given, folds it into them.
     */
    private void materializeInput(double[] w, double[] bias) {
        if (!inputStage) return;
        int n = inMean.length, channels = inputShape[0], per = n / channels;
        boolean identity = true, perChannel = true;
        for (int i = 0; i < n; i++) {
            identity &= inMean[i] == 0 && inStd[i] == 1;
            perChannel &= inStd[i] > 0 && inMean[i] == inMean[i / per * per] && inStd[i] == inStd[i / per * per];
        }
        if (identity) return;
        if (perChannel) {
            double[] mean = new double[channels], std = new double[channels];
            for (int ch = 0; ch < channels; ch++) {
                mean[ch] = inMean[ch * per];
                std[ch] = inStd[ch * per];
            }
            layers.add(0, new Normalize(mean, std));
        } else if (w != null) {
            // W((x - mean) / std) + b = (W / std) x + (b - W (mean / std)), column by column.
            int out = bias.length;
            for (int o = 0; o < out; o++)
                for (int j = 0; j < n; j++) {
                    w[o * n + j] /= inStd[j];
                    bias[o] -= w[o * n + j] * inMean[j];
                }
        } else {
            throw error("the graph transforms its input elementwise in a way that is neither a per-channel "
                    + "normalization (positive scale) nor followed directly by a Gemm or MatMul to fold it into");
        }
        Arrays.fill(inMean, 0);
        Arrays.fill(inStd, 1);
    }

    /** The constant broadcast (numpy rules, batch of 1) to the per-example shape, flattened row-major. */
    private double[] broadcast(Tensor c, int[] target, String where) {
        int t = target.length + 1;
        long[] cd = c.dims();
        int extra = Math.max(0, cd.length - t);
        for (int i = 0; i < extra; i++)
            if (cd[i] != 1) throw error(where + ": constant dims " + Arrays.toString(cd) + " do not broadcast to " + Layer.show(target));
        long[] dims = new long[t]; // aligned to [batch, ...target]
        for (int j = 0; j < t; j++) {
            int ci = j - (t - cd.length);
            dims[j] = ci < 0 ? 1 : cd[ci];
            long want = j == 0 ? 1 : target[j - 1];
            if (dims[j] != 1 && dims[j] != want)
                throw error(where + ": constant dims " + Arrays.toString(cd) + " do not broadcast to " + Layer.show(target));
        }
        int size = Layer.size(target);
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            int rest = i, src = 0, stride = 1;
            for (int j = t - 1; j >= 1; j--) {
                int coord = rest % target[j - 1];
                rest /= target[j - 1];
                if (dims[j] != 1) src += coord * stride;
                stride *= (int) dims[j];
            }
            out[i] = c.data()[src];
        }
        return out;
    }

    private Tensor constantInput(Node n, int index, String where, String what) {
        Tensor t = index < n.inputs().size() ? constants.get(n.inputs().get(index)) : null;
        if (t == null) throw error(where + " needs a constant " + what + " as input " + (index + 1));
        return t;
    }
}
