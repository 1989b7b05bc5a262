package org.workbench.net;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test helpers for the ONNX importer: a writer for small hand-built models, a straightforward op-by-op
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

    interface Body {
        void write(CodedOutputStream out) throws IOException;
    }

    static byte[] message(Body body) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            body.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Builds a ModelProto (opset 13) field by field; dims of -1 in inputs/outputs become the symbol "batch". */
    static final class ModelWriter {
        private final List<byte[]> nodes = new ArrayList<>(), inits = new ArrayList<>(), inputs = new ArrayList<>(),
                outputs = new ArrayList<>();

        ModelWriter input(String name, long... dims) {
            inputs.add(valueInfo(name, dims));
            return this;
        }

        ModelWriter output(String name, long... dims) {
            outputs.add(valueInfo(name, dims));
            return this;
        }

        /** A float32 initializer stored as raw_data. */
        ModelWriter init(String name, long[] dims, double[] v) {
            inits.add(tensor(name, dims, v));
            return this;
        }

        /** An int64 initializer stored as packed int64_data (as shape inputs of Reshape are). */
        ModelWriter initInt64(String name, long... v) {
            inits.add(message(o -> {
                o.writeUInt64(1, v.length);
                o.writeInt32(2, 7);
                o.writeTag(7, 2);
                o.writeUInt32NoTag(Arrays.stream(v).mapToInt(CodedOutputStream::computeInt64SizeNoTag).sum());
                for (long x : v) o.writeInt64NoTag(x);
                o.writeString(8, name);
            }));
            return this;
        }

        ModelWriter node(String op, String name, List<String> in, List<String> out, byte[]... attrs) {
            nodes.add(message(o -> {
                for (String s : in) o.writeString(1, s);
                for (String s : out) o.writeString(2, s);
                o.writeString(3, name);
                o.writeString(4, op);
                for (byte[] a : attrs) o.writeByteArray(5, a);
            }));
            return this;
        }

        byte[] bytes() {
            byte[] graph = message(o -> {
                for (byte[] n : nodes) o.writeByteArray(1, n);
                o.writeString(2, "test");
                for (byte[] t : inits) o.writeByteArray(5, t);
                for (byte[] v : inputs) o.writeByteArray(11, v);
                for (byte[] v : outputs) o.writeByteArray(12, v);
            });
            return message(o -> {
                o.writeInt64(1, 7);
                o.writeString(2, "workbench-test");
                o.writeByteArray(7, graph);
                o.writeByteArray(8, message(op -> op.writeInt64(2, 13)));
            });
        }
    }

    static byte[] valueInfo(String name, long... dims) {
        byte[] shape = message(o -> {
            for (long d : dims)
                o.writeByteArray(1, message(x -> {
                    if (d < 0) x.writeString(2, "batch");
                    else x.writeInt64(1, d);
                }));
        });
        byte[] tensorType = message(o -> {
            o.writeInt32(1, 1);
            o.writeByteArray(2, shape);
        });
        return message(o -> {
            o.writeString(1, name);
            o.writeByteArray(2, message(t -> t.writeByteArray(1, tensorType)));
        });
    }

    static byte[] tensor(String name, long[] dims, double[] v) {
        ByteBuffer raw = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) raw.putFloat((float) x);
        return message(o -> {
            for (long d : dims) o.writeInt64(1, d);
            o.writeInt32(2, 1);
            o.writeString(8, name);
            o.writeByteArray(9, raw.array());
        });
    }

    static byte[] intAttr(String name, long v) {
        return message(o -> { o.writeString(1, name); o.writeInt64(3, v); o.writeInt32(20, 2); });
    }

    static byte[] floatAttr(String name, float v) {
        return message(o -> { o.writeString(1, name); o.writeFloat(2, v); o.writeInt32(20, 1); });
    }

    static byte[] intsAttr(String name, long... v) {
        return message(o -> { o.writeString(1, name); for (long x : v) o.writeInt64(8, x); o.writeInt32(20, 7); });
    }

    /** A tensor attribute (Constant's "value"), written with packed float_data rather than raw_data. */
    static byte[] tensorAttr(String name, long[] dims, double[] v) {
        byte[] t = message(o -> {
            for (long d : dims) o.writeInt64(1, d);
            o.writeInt32(2, 1);
            o.writeTag(4, 2);
            o.writeUInt32NoTag(4 * v.length);
            for (double x : v) o.writeFloatNoTag((float) x);
        });
        return message(o -> { o.writeString(1, name); o.writeByteArray(5, t); o.writeInt32(20, 4); });
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
