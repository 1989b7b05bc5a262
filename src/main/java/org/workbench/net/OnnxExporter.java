package org.workbench.net;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a {@link Network} as an ONNX model (opset 13, float32 weights, input "input" [N, ...], output "logits"
 * [N, classes]) through the generated protobuf classes, so that a network trained here runs in any other tool and
 * {@link OnnxImporter} can read it back. Every layer type has its operator; Normalize becomes Sub and Div.
 */
public final class OnnxExporter {
    static final int OPSET = 13;
    /** IR version 7 goes with opset 13 (ONNX 1.8 and later read it). */
    static final int IR_VERSION = 7;

    private final Network net;
    private final OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder().setName("workbench");
    private final List<int[]> shapes;
    private final List<NodeProto.Builder> nodes = new ArrayList<>();

    private OnnxExporter(Network net) {
        this.net = net;
        this.shapes = net.shapes();
    }

    /** The model as protobuf bytes. */
    public static byte[] bytes(Network net) {
        return new OnnxExporter(net).model().toByteArray();
    }

    /** Writes the model to {@code out} through a temporary file moved into place, so that no half file is left. */
    public static void write(Network net, Path out) throws IOException {
        byte[] b = bytes(net);
        Path dir = out.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, out.getFileName().toString(), ".tmp");
        try {
            try (OutputStream os = Files.newOutputStream(tmp)) {
                os.write(b);
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String value(int v) {
        return v == 0 ? "input" : "v" + v;
    }

    private OnnxMl.ModelProto model() {
        graph.addInput(valueInfo("input", shapes.get(0)));
        List<Layer> layers = net.layers();
        for (int i = 0; i < layers.size(); i++) {
            List<String> in = new ArrayList<>();
            for (int v : net.inputs().get(i)) in.add(value(v));
            String out = i == layers.size() - 1 ? "logits" : value(i + 1);
            layer(layers.get(i), "l" + i, in, out, shapes.get(net.inputs().get(i)[0]));
        }
        for (NodeProto.Builder n : nodes) graph.addNode(n.build());
        graph.addOutput(valueInfo("logits", shapes.get(shapes.size() - 1)));
        return OnnxMl.ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("workbench")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph).build();
    }

    private static OnnxMl.ValueInfoProto valueInfo(String name, int[] shape) {
        OnnxMl.TensorShapeProto.Builder s = OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        for (int d : shape) s.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        OnnxMl.TypeProto.Tensor t = OnnxMl.TypeProto.Tensor.newBuilder()
                .setElemType(OnnxMl.TensorProto.DataType.FLOAT_VALUE).setShape(s).build();
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder().setTensorType(t)).build();
    }

    /** Adds a float32 initializer named after the layer and returns its name. */
    private String constant(String layer, String what, long[] dims, double[] values) {
        String name = layer + "." + what;
        graph.addInitializer(OnnxProto.floatTensor(name, dims, values));
        return name;
    }

    private String int64s(String layer, String what, long... values) {
        String name = layer + "." + what;
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.INT64_VALUE).addDims(values.length);
        for (long v : values) t.addInt64Data(v);
        graph.addInitializer(t);
        return name;
    }

    private NodeProto.Builder node(String op, String name, List<String> in, String out) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addOutput(out);
        nodes.add(n); // added to the graph at the end: the graph copies a builder when it is added
        return n;
    }

    private static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) a.addInts(x);
        return a.build();
    }

    private static AttributeProto integer(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    private static AttributeProto real(String name, double v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF((float) v).build();
    }

    /** Per-channel values as a constant [C, 1, ...] that broadcasts over an input of the given shape. */
    private String perChannel(String layer, String what, double[] v, int[] shape) {
        long[] dims = new long[shape.length];
        java.util.Arrays.fill(dims, 1);
        dims[0] = v.length;
        return constant(layer, what, dims, v);
    }

    private void layer(Layer layer, String name, List<String> in, String out, int[] inShape) {
        String x = in.get(0);
        List<String> args = new ArrayList<>(in);
        if (layer instanceof Linear l) {
            args.add(constant(name, "weight", new long[] {l.out(), l.in()}, l.weight()));
            args.add(constant(name, "bias", new long[] {l.out()}, l.bias()));
            node("Gemm", name, args, out).addAttribute(integer("transB", 1));
        } else if (layer instanceof Conv2d c) {
            args.add(constant(name, "weight", new long[] {c.outChannels(), c.inChannels(), c.kernelH(), c.kernelW()}, c.weight()));
            args.add(constant(name, "bias", new long[] {c.outChannels()}, c.bias()));
            int p = c.padding();
            node("Conv", name, args, out).addAttribute(ints("kernel_shape", c.kernelH(), c.kernelW()))
                    .addAttribute(ints("strides", c.stride(), c.stride())).addAttribute(ints("pads", p, p, p, p));
        } else if (layer instanceof GeneralConv c) {
            GeneralConv.Geometry g = c.g();
            args.add(constant(name, "weight", c.params().get(0).shape(), c.weight()));
            args.add(constant(name, "bias", new long[] {g.outChannels()}, c.bias()));
            node("Conv", name, args, out).addAttribute(ints("kernel_shape", g.kernelH(), g.kernelW()))
                    .addAttribute(ints("strides", g.strideH(), g.strideW()))
                    .addAttribute(ints("dilations", g.dilationH(), g.dilationW())).addAttribute(integer("group", g.groups()))
                    .addAttribute(ints("pads", g.padTop(), g.padLeft(), g.padBottom(), g.padRight()));
        } else if (layer instanceof Relu r) {
            node("Relu", name, args, out);
        } else if (layer instanceof Flatten f) {
            node("Flatten", name, args, out).addAttribute(integer("axis", 1));
        } else if (layer instanceof Normalize z) {
            String centred = name + ".centred";
            node("Sub", name + ".sub", List.of(x, perChannel(name, "mean", z.mean(), inShape)), centred);
            node("Div", name, List.of(centred, perChannel(name, "std", z.std(), inShape)), out);
        } else if (layer instanceof BatchNorm b) {
            for (String p : List.of("scale", "bias", "mean", "var")) {
                double[] v = switch (p) {
                    case "scale" -> b.scale();
                    case "bias" -> b.bias();
                    case "mean" -> b.mean();
                    default -> b.var();
                };
                args.add(constant(name, p, new long[] {v.length}, v));
            }
            node("BatchNormalization", name, args, out).addAttribute(real("epsilon", b.epsilon()));
        } else if (layer instanceof MaxPool m) {
            pooling(node("MaxPool", name, args, out), m.window());
        } else if (layer instanceof AvgPool a && a.window() == null) {
            node("GlobalAveragePool", name, args, out);
        } else if (layer instanceof AvgPool a) {
            pooling(node("AveragePool", name, args, out), a.window())
                .addAttribute(integer("count_include_pad", a.countPadding() ? 1 : 0));
        } else if (layer instanceof Add a) {
            node("Add", name, args, out);
        } else if (layer instanceof Concat c) {
            node("Concat", name, args, out).addAttribute(integer("axis", c.axis() + 1));
        } else if (layer instanceof Transpose t) {
            long[] perm = new long[t.perm().length + 1];
            for (int i = 0; i < t.perm().length; i++) perm[i + 1] = t.perm()[i] + 1;
            node("Transpose", name, args, out).addAttribute(ints("perm", perm));
        } else if (layer instanceof Reshape r) {
            long[] target = new long[r.shape().length + 1];
            target[0] = -1;
            for (int i = 0; i < r.shape().length; i++) target[i + 1] = r.shape()[i];
            args.add(int64s(name, "shape", target));
            node("Reshape", name, args, out);
        } else {
            throw new IllegalArgumentException("no ONNX operator for layer " + layer.type());
        }
    }

    private static NodeProto.Builder pooling(NodeProto.Builder n, Pooling w) {
        return n.addAttribute(ints("kernel_shape", w.kernelH(), w.kernelW())).addAttribute(ints("strides", w.strideH(), w.strideW()))
                .addAttribute(ints("pads", w.padH(), w.padW(), w.padH(), w.padW())).addAttribute(integer("ceil_mode", w.ceilMode() ? 1 : 0));
    }
}
