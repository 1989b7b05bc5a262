package org.workbench.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.workbench.net.OnnxTestSupport.floatAttr;
import static org.workbench.net.OnnxTestSupport.intAttr;
import static org.workbench.net.OnnxTestSupport.intsAttr;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.onnx.proto.OnnxMl;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.workbench.cli.Main;
import org.workbench.net.OnnxTestSupport.ModelWriter;
import org.workbench.spec.Property;
import org.workbench.spec.Vnnlib;

/**
 * The Pad operator: a constant-zero Pad of H and W is folded into the padding of the one Conv or AveragePool reading
 * it. The imported networks are checked against the op-by-op interpretation of the file (which writes the Pad's
 * zeros out) and against PyTorch's logits; every other Pad is rejected in one line naming the node.
 */
class OnnxPadTest {
    static final Path VERIVITAL = OnnxImporterTest.BENCH.resolve("verivital");

    @TempDir
    Path tmp;

    /** TorchNet's float64 forward against the graph interpreted op by op; returns the network's output. */
    static double[] assertMatchesGraph(Path file, Network net, double[] x) throws Exception {
        long[] dims = new long[net.inputShape().length + 1];
        dims[0] = 1;
        for (int i = 0; i < net.inputShape().length; i++) dims[i + 1] = net.inputShape()[i];
        double[] want = OnnxTestSupport.interpret(OnnxProto.parseModel(Files.readAllBytes(file)), dims, x);
        double[] got;
        try (NDManager m = NDManager.newBaseManager(); TorchNet t = new TorchNet(net, m, DataType.FLOAT64)) {
            got = t.forward(m.create(x, t.batchShape(1))).toDoubleArray();
        }
        double scale = 1 + Arrays.stream(want).map(Math::abs).max().orElse(0);
        assertArrayEquals(want, got, 1e-9 * scale, file.getFileName() + ": imported network differs from the graph");
        return got;
    }

    /** Relaxations and the MIP refuse attack-only layers; the folded Pad must not bring one in. */
    static void assertBoundRules(Network net) {
        assertTrue(net.layers().stream().noneMatch(l -> l instanceof AttackOnly), net.describe());
    }

    @Test
    void padFixturesFoldIntoTheirReadersAndMatchTheGraphAndPyTorch() throws Exception {
        Network avg = fixture("op_pad_avgpool");
        assertEquals(List.of("conv2d", "relu", "avgpool", "flatten"), avg.layers().stream().map(Layer::type).toList());
        AvgPool pool = (AvgPool) avg.layers().get(2);
        assertEquals(new Pooling(3, 3, 2, 2, 1, 1, false), pool.window());
        assertTrue(pool.countPadding(), "the Pad's zeros count in the average");
        assertBoundRules(avg);

        Network conv = fixture("op_pad_conv");
        Conv2d c = assertInstanceOf(Conv2d.class, conv.layers().get(0));
        assertEquals(2, c.padding(), "the Pad's 1 plus the Conv's own 1");
        assertEquals(2, c.stride());
        assertBoundRules(conv);

        // Padding that differs by side: what GeneralConv represents (attacks only, as for any such Conv).
        GeneralConv g = assertInstanceOf(GeneralConv.class, fixture("op_pad_conv_asym").layers().get(0));
        assertEquals(List.of(0, 2, 1, 1), List.of(g.g().padTop(), g.g().padLeft(), g.g().padBottom(), g.g().padRight()));
    }

    /** Loads fixture NAME and checks it against the interpreted graph and PyTorch's logits. */
    static Network fixture(String name) throws Exception {
        OnnxFixturesTest.Fixture f = OnnxFixturesTest.Fixture.read(OnnxFixturesTest.FIXTURES.resolve(name + ".json"));
        Network net = OnnxImporter.load(f.model());
        double[] z = assertMatchesGraph(f.model(), net, f.input());
        assertArrayEquals(f.logits(), z, 1e-5, name + ": differs from PyTorch");
        return net;
    }

    static double[] random(Random r, int n) {
        return r.doubles(n, -1, 1).toArray();
    }

    @Test
    void padsFromInputsAttributesAndAxesFoldExactly() throws Exception {
        Random r = new Random(3);
        // Opset 13: pads and constant_value as inputs; AveragePool with its own padding counted (count_include_pad).
        Path a = Files.write(tmp.resolve("a.onnx"), poolModel(r).bytes());
        Network na = OnnxImporter.load(a);
        assertEquals(new Pooling(4, 5, 2, 1, 2, 2, false), ((AvgPool) na.layers().get(0)).window());
        assertBoundRules(na);
        assertMatchesGraph(a, na, random(r, 2 * 6 * 7));

        // Opset 2 attributes, after a per-channel normalization: the Normalize layer comes first, then the zeros.
        Path b = Files.write(tmp.resolve("b.onnx"), new ModelWriter().opset(9).input("x", -1, 2, 5, 5).output("y", -1, 147)
                .init("mean", new long[] {1, 2, 1, 1}, new double[] {0.3, -0.2})
                .init("std", new long[] {1, 2, 1, 1}, new double[] {0.5, 2})
                .init("w", new long[] {3, 2, 3, 3}, random(r, 54)).init("bias", new long[] {3}, random(r, 3))
                .node("Sub", "sub", List.of("x", "mean"), List.of("s"))
                .node("Div", "div", List.of("s", "std"), List.of("d"))
                .node("Pad", "pd", List.of("d"), List.of("p"), intsAttr("pads", 0, 0, 2, 1, 0, 0, 2, 1), floatAttr("value", 0))
                .node("Conv", "c", List.of("p", "w", "bias"), List.of("h"), intsAttr("pads", 0, 1, 0, 1))
                .node("Flatten", "f", List.of("h"), List.of("y")).bytes());
        Network nb = OnnxImporter.load(b);
        assertEquals(List.of("normalize", "conv2d", "flatten"), nb.layers().stream().map(Layer::type).toList());
        assertEquals(2, ((Conv2d) nb.layers().get(1)).padding());
        assertBoundRules(nb);
        assertMatchesGraph(b, nb, random(r, 2 * 5 * 5));

        // Opset 18: axes [-2, -1] name H and W; constant_value left out with an empty name.
        Path c = Files.write(tmp.resolve("c.onnx"), new ModelWriter().opset(18).input("x", -1, 1, 4, 4).output("y", -1, 32)
                .initInt64("pads", 1, 1, 1, 1).initInt64("axes", -2, -1)
                .init("w", new long[] {2, 1, 3, 3}, random(r, 18))
                .node("Pad", "pd", List.of("x", "pads", "", "axes"), List.of("p"))
                .node("Conv", "c", List.of("p", "w"), List.of("h"))
                .node("Flatten", "f", List.of("h"), List.of("y")).bytes());
        Network nc = OnnxImporter.load(c);
        assertEquals(1, ((Conv2d) nc.layers().get(0)).padding());
        assertMatchesGraph(c, nc, random(r, 16));

        // A Pad that pads nothing is the identity, whatever reads it.
        Path d = Files.write(tmp.resolve("d.onnx"), new ModelWriter().input("x", -1, 1, 2, 2).output("y", -1, 4)
                .initInt64("pads", 0, 0, 0, 0, 0, 0, 0, 0)
                .node("Pad", "pd", List.of("x", "pads"), List.of("p"))
                .node("Relu", "r", List.of("p"), List.of("q"))
                .node("Flatten", "f", List.of("q"), List.of("y")).bytes());
        assertEquals(List.of("relu", "flatten"), OnnxImporter.load(d).layers().stream().map(Layer::type).toList());
    }

    /** [2, 6, 7] -> Pad (H 1, W 2 each side) -> AveragePool 4x5, stride (2, 1), own pads H 1, counted -> Gemm to 3. */
    static ModelWriter poolModel(Random r) {
        return new ModelWriter().input("x", -1, 2, 6, 7).output("y", -1, 3)
                .initInt64("pads", 0, 0, 1, 2, 0, 0, 1, 2).init("zero", new long[] {}, new double[] {0})
                .init("w", new long[] {3, 56}, random(r, 3 * 56)).init("bias", new long[] {3}, random(r, 3))
                .node("Pad", "pd", List.of("x", "pads", "zero"), List.of("p"), strAttr("mode", "constant"))
                .node("AveragePool", "ap", List.of("p"), List.of("h"), intsAttr("kernel_shape", 4, 5), intsAttr("strides", 2, 1),
                        intsAttr("pads", 1, 0, 1, 0), intAttr("count_include_pad", 1))
                .node("Flatten", "f", List.of("h"), List.of("v"))
                .node("Gemm", "fc", List.of("v", "w", "bias"), List.of("y"), intAttr("transB", 1));
    }

    static OnnxMl.AttributeProto strAttr(String name, String v) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build();
    }

    /** The complete verifier (relaxations, then branch and bound) runs on a folded Pad and proves a small box. */
    @Test
    void verifyProvesABoxOnAFoldedPad() throws Exception {
        Random r = new Random(5);
        Path onnx = Files.write(tmp.resolve("pool.onnx"), poolModel(r).bytes());
        Network net = OnnxImporter.load(onnx);
        double[] x = r.doubles(84).toArray();
        double[] z;
        try (NDManager m = NDManager.newBaseManager(); TorchNet t = new TorchNet(net, m, DataType.FLOAT64)) {
            z = t.logits(new double[][] {x})[0];
        }
        int label = z[0] >= z[1] && z[0] >= z[2] ? 0 : z[1] >= z[2] ? 1 : 2;
        StringBuilder spec = new StringBuilder();
        for (int i = 0; i < 84; i++) spec.append("(declare-const X_").append(i).append(" Real)\n");
        for (int j = 0; j < 3; j++) spec.append("(declare-const Y_").append(j).append(" Real)\n");
        for (int i = 0; i < 84; i++)
            spec.append(String.format(Locale.ROOT, "(assert (<= X_%d %.6f))\n(assert (>= X_%d %.6f))\n", i, x[i] + 1e-3, i, x[i] - 1e-3));
        spec.append("(assert (or");
        for (int j = 0; j < 3; j++) if (j != label) spec.append(" (and (>= Y_").append(j).append(" Y_").append(label).append("))");
        spec.append("))\n");
        Path vnnlib = Files.writeString(tmp.resolve("p.vnnlib"), spec);
        Path out = tmp.resolve("verdict.txt");
        assertEquals(0, Main.run("verify", onnx.toString(), vnnlib.toString(), "--timeout", "60", "--out", out.toString()));
        assertTrue(Files.readString(out).startsWith("unsat"), Files.readString(out));
    }

    @Test
    void otherPadsAreRejectedInOneLineNamingTheNode() throws Exception {
        assertRejected(padInto("Conv", strAttr("mode", "reflect")), "node pd (Pad): mode 'reflect' is not supported; only constant zero padding");
        assertRejected(padInto("Conv", strAttr("mode", "edge")), "node pd (Pad): mode 'edge' is not supported");
        assertRejected(padInto("Conv", floatAttr("value", 1)), "node pd (Pad): pads with the value 1.0; only constant zero padding of H and W");
        assertRejected(pad(List.of(0L, 1L, 1L, 1L, 0L, 0L, 1L, 1L), "Conv"), "node pd (Pad): pads [0, 1, 1, 1, 0, 0, 1, 1] pad the input [1, 4, 4] beyond H and W");
        assertRejected(pad(List.of(1L, 0L, 0L, 0L, 0L, 0L, 0L, 0L), "Conv"), "beyond H and W");
        assertRejected(pad(List.of(0L, 0L, -1L, 0L, 0L, 0L, 0L, 0L), "Conv"), "node pd (Pad): negative pads [0, 0, -1, 0, 0, 0, 0, 0] (cropping) are not supported");
        assertRejected(pad(List.of(0L, 0L, 1L), "Conv"), "node pd (Pad): pads [0, 0, 1] do not fit the input [1, 4, 4] with its batch axis (expected 8 values)");
        assertRejected(pad(List.of(0L, 0L, 1L, 1L, 0L, 0L, 1L, 1L), "Relu"),
                "node pd (Pad): a Pad of H and W is supported only as the data input of one Conv or AveragePool (folded into its padding); "
                        + "its output is read by [node r (Relu)]");
        assertRejected(new ModelWriter().input("x", -1, 1, 4, 4).output("y", -1, 1, 6, 6)
                .node("Pad", "pd", List.of("x"), List.of("y"), intsAttr("pads", 0, 0, 1, 1, 0, 0, 1, 1)), "its output is the graph output");
        assertRejected(new ModelWriter().input("x", -1, 1, 4, 4).output("y", -1, 2, 2, 2)
                .init("w", new long[] {1, 1, 3, 3}, new double[9])
                .node("Pad", "pd", List.of("x"), List.of("p"), intsAttr("pads", 0, 0, 1, 1, 0, 0, 1, 1))
                .node("Conv", "c", List.of("p", "w"), List.of("a"))
                .node("AveragePool", "ap", List.of("p"), List.of("b"), intsAttr("kernel_shape", 3, 3))
                .node("Concat", "j", List.of("a", "b"), List.of("y"), intAttr("axis", 1)),
                "its output is read by [node c (Conv), node ap (AveragePool)]");
        // Folding into the AveragePool must keep its divisors; where one layer cannot, the pooling node says why.
        assertRejected(pad(List.of(0L, 0L, 1L, 0L, 0L, 0L, 0L, 0L), "AveragePool"),
                "node ap (AveragePool): after a Pad of [1, 0, 0, 0] (top, left, bottom, right): average pooling needs the same padding on opposite sides");
        assertRejected(pad(List.of(0L, 0L, 1L, 1L, 0L, 0L, 1L, 1L), "AveragePool", intsAttr("pads", 1, 1, 1, 1)),
                "node ap (AveragePool): after a Pad of [1, 1, 1, 1] (top, left, bottom, right): attribute 'pads' with count_include_pad = 0 is not supported");
        assertRejected(pad(List.of(0L, 0L, 2L, 2L, 0L, 0L, 2L, 2L), "AveragePool"),
                "node ap (AveragePool): after a Pad of [2, 2, 2, 2] (top, left, bottom, right): pooling padding must be at most half the kernel");
        assertRejected(pad(List.of(0L, 0L, 1L, 1L, 0L, 0L, 1L, 1L), "AveragePool", intAttr("ceil_mode", 1), intsAttr("strides", 2, 2)),
                "ceil_mode = 1 is supported only where it does not change the output size");
    }

    /** [1, 4, 4] -> Pad (attributes: pads 1 on H and W, plus {@code padAttr}) -> a 3x3 Conv -> Flatten. */
    static ModelWriter padInto(String reader, OnnxMl.AttributeProto padAttr) {
        return new ModelWriter().opset(9).input("x", -1, 1, 4, 4).output("y", -1, 16)
                .init("w", new long[] {1, 1, 3, 3}, new double[9])
                .node("Pad", "pd", List.of("x"), List.of("p"), intsAttr("pads", 0, 0, 1, 1, 0, 0, 1, 1), padAttr)
                .node(reader, "c", List.of("p", "w"), List.of("h"))
                .node("Flatten", "f", List.of("h"), List.of("y"));
    }

    /** [1, 4, 4] -> Pad (pads as an input) -> a 3x3 Conv, a 3x3 AveragePool (with {@code attrs}) or a Relu -> Flatten. */
    static ModelWriter pad(List<Long> pads, String reader, OnnxMl.AttributeProto... attrs) {
        ModelWriter w = new ModelWriter().input("x", -1, 1, 4, 4).output("y", -1, 16)
                .initInt64("pads", pads.stream().mapToLong(Long::longValue).toArray())
                .init("w", new long[] {1, 1, 3, 3}, new double[9])
                .node("Pad", "pd", List.of("x", "pads"), List.of("p"));
        return switch (reader) {
            case "Conv" -> w.node("Conv", "c", List.of("p", "w"), List.of("h")).node("Flatten", "f", List.of("h"), List.of("y"));
            case "AveragePool" -> {
                OnnxMl.AttributeProto[] all = Arrays.copyOf(attrs, attrs.length + 1);
                all[attrs.length] = intsAttr("kernel_shape", 3, 3);
                yield w.node("AveragePool", "ap", List.of("p"), List.of("h"), all).node("Flatten", "f", List.of("h"), List.of("y"));
            }
            default -> w.node("Relu", "r", List.of("p"), List.of("h")).node("Flatten", "f", List.of("h"), List.of("y"));
        };
    }

    void assertRejected(ModelWriter w, String expected) throws Exception {
        String msg = OnnxImporterTest.rejection(tmp, "rejected.onnx", w);
        assertEquals(1, msg.lines().count(), msg);
        assertTrue(msg.contains(expected), "expected '" + expected + "' in: " + msg);
    }

    /**
     * VNN-COMP 2021's verivital Convnet_avgpool (Conv, ReLU, a Pad of zeros, AveragePool, Gemm): it imports with
     * bound rules, matches its graph on the centres of its specs and classifies those centres as their labels.
     */
    @Test
    void verivitalAvgpoolNetImportsAndMatchesItsGraph() throws Exception {
        Path onnx = VERIVITAL.resolve("Convnet_avgpool.onnx");
        assumeTrue(Files.exists(onnx), onnx + " is absent");
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        Network net = OnnxImporter.load(onnx, new PrintStream(warnings, true, StandardCharsets.UTF_8));
        assertEquals("", warnings.toString(StandardCharsets.UTF_8));
        assertEquals(List.of("conv2d", "relu", "avgpool", "flatten", "linear"), net.layers().stream().map(Layer::type).toList());
        assertEquals(new Pooling(4, 4, 4, 4, 0, 0, false), ((AvgPool) net.layers().get(2)).window());
        assertBoundRules(net);
        List<Path> specs = OnnxImporterTest.list(VERIVITAL.resolve("specs/avgpool_specs"), "_0.02.vnnlib");
        assertEquals(20, specs.size());
        Pattern labelLine = Pattern.compile("label: (\\d+)");
        int ok = 0;
        for (Path spec : specs) {
            Property.Case c = Vnnlib.parse(spec, 784, 10).cases().get(0);
            double[] mid = new double[784];
            for (int i = 0; i < mid.length; i++) mid[i] = (c.lo()[i] + c.hi()[i]) / 2;
            double[] z = assertMatchesGraph(onnx, net, mid);
            Matcher m = labelLine.matcher(Files.readString(spec));
            assertTrue(m.find(), spec.toString());
            if (OnnxImporterTest.argmax(z) == Integer.parseInt(m.group(1))) ok++;
        }
        assertTrue(ok >= 18, ok + " of 20 spec centres classified as their label");
    }
}
