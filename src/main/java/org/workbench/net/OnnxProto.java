package org.workbench.net;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The subset of ONNX's ModelProto that the importer reads, as plain records with float64 tensor data, taken from
 * the protobuf classes generated from onnx.proto ({@link OnnxMl}). A malformed message throws {@link Malformed}.
 */
final class OnnxProto {
    private OnnxProto() {}

    /** The file is not a (readable) ONNX model; the message says what was wrong. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }

    /** A constant tensor converted to float64; dims as in the file. */
    record Tensor(String name, long[] dims, double[] data) {}

    /** An attribute: only the kinds the importer uses are kept. */
    record Attr(String name, Float f, Long i, String s, Tensor t, List<Float> floats, List<Long> ints) {}

    record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                Map<String, Attr> attrs) {
        long intAttr(String name, long def) {
            Attr a = attrs.get(name);
            return a == null || a.i() == null ? def : a.i();
        }

        double floatAttr(String name, double def) {
            Attr a = attrs.get(name);
            return a == null || a.f() == null ? def : a.f();
        }

        List<Long> intsAttr(String name, List<Long> def) {
            Attr a = attrs.get(name);
            return a == null || a.ints().isEmpty() ? def : a.ints();
        }
    }

    /** A graph input or output; dims hold -1 for a symbolic or missing dimension; null when no shape is given. */
    record ValueInfo(String name, long[] dims) {}

    record Graph(List<Node> nodes, Map<String, Tensor> initializers, List<ValueInfo> inputs, List<ValueInfo> outputs) {}

    static Graph parseModel(byte[] bytes) throws Malformed {
        OnnxMl.ModelProto model;
        try {
            model = OnnxMl.ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new Malformed("cannot parse ModelProto: " + e.getMessage());
        }
        if (!model.hasGraph()) throw new Malformed("no graph in the model (is this an ONNX file?)");
        OnnxMl.GraphProto graph = model.getGraph();
        List<Node> nodes = new ArrayList<>();
        for (OnnxMl.NodeProto n : graph.getNodeList()) nodes.add(node(n));
        Map<String, Tensor> inits = new LinkedHashMap<>();
        for (OnnxMl.TensorProto t : graph.getInitializerList()) {
            Tensor tensor = tensor(t);
            inits.put(tensor.name(), tensor);
        }
        List<ValueInfo> inputs = graph.getInputList().stream().map(OnnxProto::valueInfo).toList();
        List<ValueInfo> outputs = graph.getOutputList().stream().map(OnnxProto::valueInfo).toList();
        return new Graph(nodes, inits, inputs, outputs);
    }

    /** The value of a Constant node, or null when it is given in a form not read here. */
    static Tensor constantValue(Node n) {
        for (Attr a : n.attrs().values()) {
            switch (a.name()) {
                case "value": if (a.t() != null) return a.t(); break;
                case "value_float": if (a.f() != null) return new Tensor("", new long[0], new double[] {a.f()}); break;
                case "value_int": if (a.i() != null) return new Tensor("", new long[0], new double[] {a.i()}); break;
                case "value_floats":
                    return new Tensor("", new long[] {a.floats().size()}, a.floats().stream().mapToDouble(Float::doubleValue).toArray());
                case "value_ints":
                    return new Tensor("", new long[] {a.ints().size()}, a.ints().stream().mapToDouble(Long::doubleValue).toArray());
                default:
            }
        }
        return null;
    }

    private static Node node(OnnxMl.NodeProto n) throws Malformed {
        Map<String, Attr> attrs = new LinkedHashMap<>();
        for (OnnxMl.AttributeProto a : n.getAttributeList()) {
            Attr attr = new Attr(a.getName(), a.hasF() ? a.getF() : null, a.hasI() ? a.getI() : null,
                    a.hasS() ? a.getS().toStringUtf8() : "", a.hasT() ? tensor(a.getT()) : null, a.getFloatsList(), a.getIntsList());
            attrs.put(attr.name(), attr);
        }
        return new Node(n.getName(), n.getOpType(), n.getDomain(), n.getInputList(), n.getOutputList(), attrs);
    }

    private static ValueInfo valueInfo(OnnxMl.ValueInfoProto v) {
        if (!v.getType().hasTensorType() || !v.getType().getTensorType().hasShape()) return new ValueInfo(v.getName(), null);
        List<OnnxMl.TensorShapeProto.Dimension> dims = v.getType().getTensorType().getShape().getDimList();
        long[] d = new long[dims.size()];
        for (int i = 0; i < d.length; i++) d[i] = dims.get(i).hasDimValue() ? dims.get(i).getDimValue() : -1;
        return new ValueInfo(v.getName(), d);
    }

    static Tensor tensor(OnnxMl.TensorProto t) throws Malformed {
        String name = t.getName();
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long n = 1;
        for (long d : dims) {
            if (d < 0) throw new Malformed("tensor '" + name + "' has a negative dimension");
            n *= d;
        }
        if (n < 0 || n > Integer.MAX_VALUE) throw new Malformed("tensor '" + name + "' has impossible dims");
        if (t.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL)
            throw new Malformed("tensor '" + name + "' keeps its data in an external file, which is not supported");
        int type = t.getDataType();
        double[] v;
        if (t.hasRawData()) {
            ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            int width = switch (type) {
                case 1, 6 -> 4;
                case 7, 11 -> 8;
                default -> throw new Malformed("tensor '" + name + "' has unsupported data type " + type);
            };
            if (b.remaining() != n * width)
                throw new Malformed("tensor '" + name + "' holds " + b.remaining() + " bytes for " + n + " values");
            v = new double[(int) n];
            for (int i = 0; i < v.length; i++)
                v[i] = switch (type) {
                    case 1 -> b.getFloat();
                    case 6 -> b.getInt();
                    case 7 -> b.getLong();
                    default -> b.getDouble();
                };
        } else {
            v = switch (type) {
                case 1 -> t.getFloatDataList().stream().mapToDouble(Float::doubleValue).toArray();
                case 6 -> t.getInt32DataList().stream().mapToDouble(Integer::doubleValue).toArray();
                case 7 -> t.getInt64DataList().stream().mapToDouble(Long::doubleValue).toArray();
                case 11 -> t.getDoubleDataList().stream().mapToDouble(Double::doubleValue).toArray();
                default -> throw new Malformed("tensor '" + name + "' has unsupported data type " + type);
            };
            if (v.length != n) throw new Malformed("tensor '" + name + "' holds " + v.length + " values for " + n);
        }
        return new Tensor(name, dims, v);
    }

    /** A float32 tensor with the values as raw little-endian data (how exporters usually store weights). */
    static OnnxMl.TensorProto floatTensor(String name, long[] dims, double[] values) {
        ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : values) raw.putFloat((float) x);
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(raw.array()));
        for (long d : dims) t.addDims(d);
        return t.build();
    }
}
