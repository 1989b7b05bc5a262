package org.workbench.net;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The subset of ONNX's ModelProto that the importer reads, decoded by field number (see onnx.proto) so that
 * no generated code is needed. Unknown fields are skipped; a malformed message throws {@link Malformed}.
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
        Fields model = Fields.parse(ByteString.copyFrom(bytes), "ModelProto");
        ByteString g = model.bytes(7);
        if (g == null) throw new Malformed("no graph in the model (is this an ONNX file?)");
        Fields graph = Fields.parse(g, "GraphProto");
        List<Node> nodes = new ArrayList<>();
        for (ByteString n : graph.allBytes(1)) nodes.add(node(Fields.parse(n, "NodeProto")));
        Map<String, Tensor> inits = new LinkedHashMap<>();
        for (ByteString t : graph.allBytes(5)) {
            Tensor tensor = tensor(Fields.parse(t, "TensorProto"));
            inits.put(tensor.name(), tensor);
        }
        List<ValueInfo> inputs = new ArrayList<>(), outputs = new ArrayList<>();
        for (ByteString v : graph.allBytes(11)) inputs.add(valueInfo(Fields.parse(v, "ValueInfoProto")));
        for (ByteString v : graph.allBytes(12)) outputs.add(valueInfo(Fields.parse(v, "ValueInfoProto")));
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

    private static Node node(Fields f) throws Malformed {
        Map<String, Attr> attrs = new LinkedHashMap<>();
        for (ByteString a : f.allBytes(5)) {
            Fields af = Fields.parse(a, "AttributeProto");
            ByteString t = af.bytes(5);
            Long fbits = af.last(2);
            Attr attr = new Attr(af.string(1), fbits == null ? null : Float.intBitsToFloat(fbits.intValue()),
                    af.last(3), af.string(4), t == null ? null : tensor(Fields.parse(t, "TensorProto")),
                    af.fixed32s(7).stream().map(Float::intBitsToFloat).toList(), af.varints(8));
            attrs.put(attr.name(), attr);
        }
        return new Node(f.string(3), f.string(4), f.string(7), f.strings(1), f.strings(2), attrs);
    }

    private static ValueInfo valueInfo(Fields f) throws Malformed {
        String name = f.string(1);
        ByteString type = f.bytes(2);
        ByteString tensorType = type == null ? null : Fields.parse(type, "TypeProto").bytes(1);
        ByteString shape = tensorType == null ? null : Fields.parse(tensorType, "TypeProto.Tensor").bytes(2);
        if (shape == null) return new ValueInfo(name, null);
        List<ByteString> dims = Fields.parse(shape, "TensorShapeProto").allBytes(1);
        long[] d = new long[dims.size()];
        for (int i = 0; i < d.length; i++) {
            Long v = Fields.parse(dims.get(i), "Dimension").last(1);
            d[i] = v == null ? -1 : v;
        }
        return new ValueInfo(name, d);
    }

    static Tensor tensor(Fields f) throws Malformed {
        String name = f.string(8);
        long[] dims = f.varints(1).stream().mapToLong(Long::longValue).toArray();
        long n = 1;
        for (long d : dims) {
            if (d < 0) throw new Malformed("tensor '" + name + "' has a negative dimension");
            n *= d;
        }
        if (n < 0 || n > Integer.MAX_VALUE) throw new Malformed("tensor '" + name + "' has impossible dims");
        Long dataLocation = f.last(14);
        if (dataLocation != null && dataLocation == 1)
            throw new Malformed("tensor '" + name + "' keeps its data in an external file, which is not supported");
        Long typeCode = f.last(2);
        int type = typeCode == null ? 0 : typeCode.intValue();
        ByteString raw = f.bytes(9);
        double[] v;
        if (raw != null) {
            ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
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
                case 1 -> f.fixed32s(4).stream().mapToDouble(Float::intBitsToFloat).toArray();
                case 6 -> f.varints(5).stream().mapToDouble(x -> (double) x.intValue()).toArray();
                case 7 -> f.varints(7).stream().mapToDouble(Long::doubleValue).toArray();
                case 11 -> f.fixed64s(10).stream().mapToDouble(Double::longBitsToDouble).toArray();
                default -> throw new Malformed("tensor '" + name + "' has unsupported data type " + type);
            };
            if (v.length != n) throw new Malformed("tensor '" + name + "' holds " + v.length + " values for " + n);
        }
        return new Tensor(name, dims, v);
    }

    /** The fields of one message by number, values as Long (varint, fixed) or ByteString (length-delimited). */
    static final class Fields {
        private final Map<Integer, List<Object>> byNumber = new HashMap<>();
        private final String message;

        private Fields(String message) {
            this.message = message;
        }

        static Fields parse(ByteString data, String message) throws Malformed {
            Fields f = new Fields(message);
            CodedInputStream in = data.newCodedInput();
            try {
                while (true) {
                    int tag = in.readTag();
                    if (tag == 0) break;
                    Object value = switch (WireFormat.getTagWireType(tag)) {
                        case WireFormat.WIRETYPE_VARINT -> in.readRawVarint64();
                        case WireFormat.WIRETYPE_FIXED64 -> in.readRawLittleEndian64();
                        case WireFormat.WIRETYPE_FIXED32 -> (long) in.readRawLittleEndian32();
                        case WireFormat.WIRETYPE_LENGTH_DELIMITED -> in.readBytes();
                        default -> throw new Malformed(message + " uses unsupported wire type in tag " + tag);
                    };
                    f.byNumber.computeIfAbsent(WireFormat.getTagFieldNumber(tag), k -> new ArrayList<>()).add(value);
                }
            } catch (InvalidProtocolBufferException e) {
                throw new Malformed("cannot parse " + message + ": " + e.getMessage());
            } catch (java.io.IOException e) {
                throw new Malformed("cannot read " + message + ": " + e.getMessage());
            }
            return f;
        }

        private List<Object> all(int field) {
            return byNumber.getOrDefault(field, List.of());
        }

        private Malformed wrongType(int field) {
            return new Malformed(message + " field " + field + " has the wrong wire type");
        }

        List<ByteString> allBytes(int field) throws Malformed {
            List<ByteString> out = new ArrayList<>();
            for (Object o : all(field)) {
                if (!(o instanceof ByteString b)) throw wrongType(field);
                out.add(b);
            }
            return out;
        }

        ByteString bytes(int field) throws Malformed {
            List<ByteString> b = allBytes(field);
            return b.isEmpty() ? null : b.get(b.size() - 1);
        }

        String string(int field) throws Malformed {
            ByteString b = bytes(field);
            return b == null ? "" : b.toStringUtf8();
        }

        List<String> strings(int field) throws Malformed {
            return allBytes(field).stream().map(ByteString::toStringUtf8).toList();
        }

        /** The last scalar value (proto3 "last one wins"); null when absent. */
        Long last(int field) throws Malformed {
            List<Object> v = all(field);
            if (v.isEmpty()) return null;
            if (!(v.get(v.size() - 1) instanceof Long l)) throw wrongType(field);
            return l;
        }

        /** A repeated varint field, accepting both packed and unpacked encodings. */
        List<Long> varints(int field) throws Malformed {
            List<Long> out = new ArrayList<>();
            try {
                for (Object o : all(field)) {
                    if (o instanceof Long l) out.add(l);
                    else {
                        CodedInputStream in = ((ByteString) o).newCodedInput();
                        while (!in.isAtEnd()) out.add(in.readRawVarint64());
                    }
                }
            } catch (java.io.IOException e) {
                throw new Malformed(message + " field " + field + " is a malformed packed list");
            }
            return out;
        }

        List<Integer> fixed32s(int field) throws Malformed {
            List<Integer> out = new ArrayList<>();
            for (Object o : all(field)) {
                if (o instanceof Long l) out.add(l.intValue());
                else {
                    ByteBuffer b = ((ByteString) o).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                    if (b.remaining() % 4 != 0) throw new Malformed(message + " field " + field + " is a malformed packed list");
                    while (b.hasRemaining()) out.add(b.getInt());
                }
            }
            return out;
        }

        List<Long> fixed64s(int field) throws Malformed {
            List<Long> out = new ArrayList<>();
            for (Object o : all(field)) {
                if (o instanceof Long l) out.add(l);
                else {
                    ByteBuffer b = ((ByteString) o).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                    if (b.remaining() % 8 != 0) throw new Malformed(message + " field " + field + " is a malformed packed list");
                    while (b.hasRemaining()) out.add(b.getLong());
                }
            }
            return out;
        }
    }
}
