package org.workbench.net;

import ai.onnx.proto.OnnxMl;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test helpers for the ONNX importer: a writer for small hand-built models (through the generated protobuf classes), a straightforward op-by-op
 * interpreter of a parsed ONNX graph (the reference that layer folding is checked against), and a plain
 * float64 forward pass over a {@link Network}'s layers.
 */
public final class OnnxTestSupport {
    private OnnxTestSupport() {}

    /** A one-node ONNX model whose only operator (Sigmoid) the importer must reject by name. */
    public static byte[] sigmoidModelBytes() {
        return new ModelWriter().input("x", -1, 4).output("y", -1, 4)
                .node("Sigmoid", "squash", java.util.List.of("x"), java.util.List.of("y")).bytes();
    }

    /** Builds a ModelProto (opset 13) with the generated classes; dims of -1 in inputs/outputs become the symbol "batch". */
    static final class ModelWriter {
        private final OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder().setName("test");
        private long opset = 13;

        /** The opset the model declares (Pad reads its pads from an attribute before 11, from an input after). */
        ModelWriter opset(long v) {
            opset = v;
            return this;
        }

        ModelWriter input(String name, long... dims) {
            graph.addInput(valueInfo(name, dims));
            return this;
        }

        ModelWriter output(String name, long... dims) {
            graph.addOutput(valueInfo(name, dims));
            return this;
        }

        /** A float32 initializer stored as raw_data. */
        ModelWriter init(String name, long[] dims, double[] v) {
            graph.addInitializer(OnnxProto.floatTensor(name, dims, v));
            return this;
        }

        /** An int64 initializer stored as int64_data (as shape inputs of Reshape are). */
        ModelWriter initInt64(String name, long... v) {
            OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name).addDims(v.length)
                    .setDataType(OnnxMl.TensorProto.DataType.INT64_VALUE);
            for (long x : v) t.addInt64Data(x);
            graph.addInitializer(t);
            return this;
        }

        ModelWriter node(String op, String name, List<String> in, List<String> out, OnnxMl.AttributeProto... attrs) {
            graph.addNode(OnnxMl.NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addAllOutput(out)
                    .addAllAttribute(Arrays.asList(attrs)));
            return this;
        }

        byte[] bytes() {
            return OnnxMl.ModelProto.newBuilder().setIrVersion(7).setProducerName("workbench-test").setGraph(graph)
                    .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(opset)).build().toByteArray();
        }
    }

    static OnnxMl.ValueInfoProto valueInfo(String name, long... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (long d : dims)
            shape.addDim(d < 0 ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
                    : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        OnnxMl.TypeProto.Tensor t = OnnxMl.TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape).build();
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder().setTensorType(t)).build();
    }

    private static OnnxMl.AttributeProto.Builder attr(String name, OnnxMl.AttributeProto.AttributeType type) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(type);
    }

    static OnnxMl.AttributeProto intAttr(String name, long v) {
        return attr(name, OnnxMl.AttributeProto.AttributeType.INT).setI(v).build();
    }

    static OnnxMl.AttributeProto floatAttr(String name, float v) {
        return attr(name, OnnxMl.AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    static OnnxMl.AttributeProto intsAttr(String name, long... v) {
        OnnxMl.AttributeProto.Builder a = attr(name, OnnxMl.AttributeProto.AttributeType.INTS);
        for (long x : v) a.addInts(x);
        return a.build();
    }

    /** A tensor attribute (Constant's "value"), written with float_data rather than raw_data. */
    static OnnxMl.AttributeProto tensorAttr(String name, long[] dims, double[] v) {
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setDataType(1);
        for (long d : dims) t.addDims(d);
        for (double x : v) t.addFloatData((float) x);
        return attr(name, OnnxMl.AttributeProto.AttributeType.TENSOR).setT(t).build();
    }

    // ---- reference interpreter -------------------------------------------------------------------------

    record T(long[] dims, double[] v) {
        int size() {
            return v.length;
        }
    }

    /** Evaluates the graph op by op on one input (dims including the batch dimension); returns the output. */
    static double[] interpret(OnnxProto.Graph g, long[] inDims, double[] x) {
        Map<String, T> env = new HashMap<>();
        g.initializers().forEach((k, t) -> env.put(k, new T(t.dims(), t.data())));
        String in = g.inputs().stream().map(OnnxProto.ValueInfo::name).filter(n -> !env.containsKey(n)).findFirst().orElseThrow();
        env.put(in, new T(inDims, x));
        for (OnnxProto.Node n : g.nodes()) {
            List<T> a = n.inputs().stream().map(s -> s.isEmpty() ? null : env.get(s)).toList();
            env.put(n.outputs().get(0), eval(n, a));
        }
        return env.get(g.outputs().get(0).name()).v();
    }

    private static long attrI(OnnxProto.Node n, String k, long def) {
        OnnxProto.Attr a = n.attrs().get(k);
        return a == null ? def : a.i();
    }

    private static T eval(OnnxProto.Node n, List<T> a) {
        switch (n.opType()) {
            case "Constant": {
                OnnxProto.Tensor t = n.attrs().get("value").t();
                return new T(t.dims(), t.data());
            }
            case "Relu": return new T(a.get(0).dims(), Arrays.stream(a.get(0).v()).map(v -> Math.max(v, 0)).toArray());
            case "Add": case "Sub": case "Mul": case "Div": return binary(n.opType(), a.get(0), a.get(1));
            case "Flatten": {
                long axis = attrI(n, "axis", 1), lead = 1;
                for (int i = 0; i < axis; i++) lead *= a.get(0).dims()[i];
                return new T(new long[] {lead, a.get(0).size() / lead}, a.get(0).v());
            }
            case "Reshape": {
                long[] s = Arrays.stream(a.get(1).v()).mapToLong(v -> (long) v).toArray();
                long known = 1;
                for (int i = 0; i < s.length; i++) {
                    if (s[i] == 0) s[i] = a.get(0).dims()[i];
                    if (s[i] > 0) known *= s[i];
                }
                for (int i = 0; i < s.length; i++) if (s[i] == -1) s[i] = a.get(0).size() / known;
                return new T(s, a.get(0).v());
            }
            case "MatMul": {
                T x = a.get(0), w = a.get(1);
                int k = (int) w.dims()[0], m = (int) w.dims()[1], rows = x.size() / k;
                double[] y = new double[rows * m];
                for (int r = 0; r < rows; r++)
                    for (int j = 0; j < m; j++)
                        for (int i = 0; i < k; i++) y[r * m + j] += x.v()[r * k + i] * w.v()[i * m + j];
                long[] d = x.dims().clone();
                d[d.length - 1] = m;
                return new T(d, y);
            }
            case "Gemm": {
                boolean tb = attrI(n, "transB", 0) == 1;
                double alpha = n.attrs().containsKey("alpha") ? n.attrs().get("alpha").f() : 1;
                double beta = n.attrs().containsKey("beta") ? n.attrs().get("beta").f() : 1;
                T x = a.get(0), w = a.get(1);
                int rows = (int) x.dims()[0], k = (int) x.dims()[1], m = (int) (tb ? w.dims()[0] : w.dims()[1]);
                double[] y = new double[rows * m];
                for (int r = 0; r < rows; r++)
                    for (int j = 0; j < m; j++) {
                        double s = 0;
                        for (int i = 0; i < k; i++) s += x.v()[r * k + i] * (tb ? w.v()[j * k + i] : w.v()[i * m + j]);
                        y[r * m + j] = alpha * s;
                    }
                T out = new T(new long[] {rows, m}, y);
                if (a.size() < 3 || a.get(2) == null) return out;
                T c = a.get(2);
                return binary("Add", out, new T(c.dims(), Arrays.stream(c.v()).map(v -> beta * v).toArray()));
            }
            case "Conv": return conv(n, a.get(0), a.get(1), a.size() > 2 ? a.get(2) : null);
            case "Pad": return pad(n, a);
            case "AveragePool": return avgPool(n, a.get(0));
            default: throw new IllegalArgumentException("reference interpreter lacks " + n.opType());
        }
    }

    /** Numpy-broadcast elementwise arithmetic. */
    private static T binary(String op, T x, T y) {
        int r = Math.max(x.dims().length, y.dims().length);
        long[] xd = pad(x.dims(), r), yd = pad(y.dims(), r), od = new long[r];
        for (int i = 0; i < r; i++) od[i] = Math.max(xd[i], yd[i]);
        int size = 1;
        for (long d : od) size *= (int) d;
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            int rest = i, xi = 0, yi = 0, xs = 1, ys = 1;
            for (int j = r - 1; j >= 0; j--) {
                int c = (int) (rest % od[j]);
                rest /= (int) od[j];
                if (xd[j] > 1) xi += c * xs;
                if (yd[j] > 1) yi += c * ys;
                xs *= (int) xd[j];
                ys *= (int) yd[j];
            }
            double p = x.v()[xi], q = y.v()[yi];
            out[i] = switch (op) {
                case "Add" -> p + q;
                case "Sub" -> p - q;
                case "Mul" -> p * q;
                default -> p / q;
            };
        }
        return new T(od, out);
    }

    private static long[] pad(long[] d, int r) {
        long[] o = new long[r];
        Arrays.fill(o, 1);
        System.arraycopy(d, 0, o, r - d.length, d.length);
        return o;
    }

    private static T conv(OnnxProto.Node n, T x, T w, T b) {
        List<Long> pads = n.attrs().containsKey("pads") ? n.attrs().get("pads").ints() : List.of(0L, 0L, 0L, 0L);
        List<Long> st = n.attrs().containsKey("strides") ? n.attrs().get("strides").ints() : List.of(1L, 1L);
        int c = (int) x.dims()[1], h = (int) x.dims()[2], wd = (int) x.dims()[3];
        int m = (int) w.dims()[0], kh = (int) w.dims()[2], kw = (int) w.dims()[3];
        int pt = pads.get(0).intValue(), pl = pads.get(1).intValue(), pb = pads.get(2).intValue(), pr = pads.get(3).intValue();
        int sh = st.get(0).intValue(), sw = st.get(1).intValue();
        int oh = (h + pt + pb - kh) / sh + 1, ow = (wd + pl + pr - kw) / sw + 1;
        double[] y = new double[m * oh * ow];
        for (int o = 0; o < m; o++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++) {
                    double s = b == null ? 0 : b.v()[o];
                    for (int ci = 0; ci < c; ci++)
                        for (int u = 0; u < kh; u++)
                            for (int v = 0; v < kw; v++) {
                                int r = i * sh - pt + u, q = j * sw - pl + v;
                                if (r >= 0 && r < h && q >= 0 && q < wd)
                                    s += x.v()[(ci * h + r) * wd + q] * w.v()[((o * c + ci) * kh + u) * kw + v];
                            }
                    y[(o * oh + i) * ow + j] = s;
                }
        return new T(new long[] {1, m, oh, ow}, y);
    }

    /** Constant-mode Pad of a 4-d tensor, written out element by element (pads from the attribute or input 2). */
    private static T pad(OnnxProto.Node n, List<T> a) {
        String mode = n.attrs().containsKey("mode") ? n.attrs().get("mode").s() : "constant";
        if (!mode.equals("constant")) throw new IllegalArgumentException("reference interpreter pads only in constant mode");
        long[] p = a.size() > 1 && a.get(1) != null ? Arrays.stream(a.get(1).v()).mapToLong(v -> (long) v).toArray()
                : n.attrs().get("pads").ints().stream().mapToLong(Long::longValue).toArray();
        double value = a.size() > 2 && a.get(2) != null ? a.get(2).v()[0]
                : n.attrs().containsKey("value") ? n.attrs().get("value").f() : 0;
        long[] d = a.get(0).dims(), od = new long[4];
        if (a.size() > 3 && a.get(3) != null) { // axes (opset 18): spread the pads over all four axes
            long[] full = new long[8];
            double[] axes = a.get(3).v();
            for (int i = 0; i < axes.length; i++) {
                int ax = (int) (axes[i] < 0 ? axes[i] + 4 : axes[i]);
                full[ax] = p[i];
                full[4 + ax] = p[axes.length + i];
            }
            p = full;
        }
        for (int i = 0; i < 4; i++) od[i] = d[i] + p[i] + p[4 + i];
        double[] y = new double[(int) (od[0] * od[1] * od[2] * od[3])];
        Arrays.fill(y, value);
        for (int i = 0; i < a.get(0).size(); i++) {
            int rest = i, to = 0, stride = 1;
            for (int j = 3; j >= 0; j--) {
                to += (int) (rest % d[j] + p[j]) * stride;
                rest /= (int) d[j];
                stride *= (int) od[j];
            }
            y[to] = a.get(0).v()[i];
        }
        return new T(od, y);
    }

    /** AveragePool without ceil mode: the sum over the window's taps inside the input, divided by the taps
     *  counted (all of them with count_include_pad, else those inside the input). */
    private static T avgPool(OnnxProto.Node n, T x) {
        if (attrI(n, "ceil_mode", 0) != 0) throw new IllegalArgumentException("reference interpreter lacks ceil_mode");
        List<Long> k = n.attrs().get("kernel_shape").ints();
        List<Long> pads = n.attrs().containsKey("pads") ? n.attrs().get("pads").ints() : List.of(0L, 0L, 0L, 0L);
        List<Long> st = n.attrs().containsKey("strides") ? n.attrs().get("strides").ints() : List.of(1L, 1L);
        boolean countPad = attrI(n, "count_include_pad", 0) != 0;
        int c = (int) x.dims()[1], h = (int) x.dims()[2], w = (int) x.dims()[3], kh = k.get(0).intValue(), kw = k.get(1).intValue();
        int pt = pads.get(0).intValue(), pl = pads.get(1).intValue(), sh = st.get(0).intValue(), sw = st.get(1).intValue();
        int oh = (h + pt + pads.get(2).intValue() - kh) / sh + 1, ow = (w + pl + pads.get(3).intValue() - kw) / sw + 1;
        double[] y = new double[c * oh * ow];
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++) {
                    double s = 0;
                    int inside = 0;
                    for (int u = 0; u < kh; u++)
                        for (int v = 0; v < kw; v++) {
                            int r = i * sh - pt + u, q = j * sw - pl + v;
                            if (r < 0 || r >= h || q < 0 || q >= w) continue;
                            s += x.v()[(ch * h + r) * w + q];
                            inside++;
                        }
                    y[(ch * oh + i) * ow + j] = s / (countPad ? kh * kw : inside);
                }
        return new T(new long[] {1, c, oh, ow}, y);
    }

    // ---- plain forward over the imported layers ------------------------------------------------------------

    static double[] forward(Network net, double[] x) {
        double[] h = x.clone();
        int[] s = net.inputShape();
        for (Layer l : net.layers()) {
            int[] next = l.outputShape(s);
            if (l instanceof Linear lin) {
                double[] y = lin.bias().clone();
                for (int o = 0; o < lin.out(); o++)
                    for (int i = 0; i < lin.in(); i++) y[o] += lin.w(o, i) * h[i];
                h = y;
            } else if (l instanceof Relu) {
                h = Arrays.stream(h).map(v -> Math.max(v, 0)).toArray();
            } else if (l instanceof Normalize nz) {
                int per = h.length / nz.mean().length;
                double[] y = new double[h.length];
                for (int i = 0; i < h.length; i++) y[i] = (h[i] - nz.mean()[i / per]) / nz.std()[i / per];
                h = y;
            } else if (l instanceof Conv2d cv) {
                long[] xd = {1, s[0], s[1], s[2]};
                long[] wd = {cv.outChannels(), cv.inChannels(), cv.kernelH(), cv.kernelW()};
                int p = cv.padding();
                OnnxProto.Node node = new OnnxProto.Node("", "Conv", "", List.of(), List.of(), Map.of(
                        "pads", new OnnxProto.Attr("pads", null, null, "", null, List.of(), List.of((long) p, (long) p, (long) p, (long) p)),
                        "strides", new OnnxProto.Attr("strides", null, null, "", null, List.of(), List.of((long) cv.stride(), (long) cv.stride()))));
                h = conv(node, new T(xd, h), new T(wd, cv.weight()), new T(new long[] {cv.outChannels()}, cv.bias())).v();
            }
            s = next;
        }
        return h;
    }
}
