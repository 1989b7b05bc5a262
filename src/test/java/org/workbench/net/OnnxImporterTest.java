package org.workbench.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.workbench.net.OnnxTestSupport.floatAttr;
import static org.workbench.net.OnnxTestSupport.intAttr;
import static org.workbench.net.OnnxTestSupport.intsAttr;
import static org.workbench.net.OnnxTestSupport.tensorAttr;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.workbench.config.InputError;
import org.workbench.net.OnnxTestSupport.ModelWriter;
import org.workbench.net.OnnxProto.Tensor;

class OnnxImporterTest {
    static final Path SHARED = Path.of("../shared");
    static final Path TUTORIAL = SHARED.resolve("models/tutorial");
    static final Path BENCH = SHARED.resolve("benchmarks/vnncomp2021/benchmarks");
    static final String CNN = "C1-32k3s1p1,R,C32-32k3s2p1,R,C32-64k3s1p1,R,C64-64k3s2p1,R,F,L3136-100,R,L100-10";

    @TempDir
    Path tmp;

    /** A compact architecture signature: F, R, N&lt;channels&gt;, L&lt;in&gt;-&lt;out&gt;, C&lt;in&gt;-&lt;out&gt;k&lt;k&gt;s&lt;stride&gt;p&lt;pad&gt;. */
    static String sig(Network n) {
        return n.layers().stream().map(l -> {
            if (l instanceof Linear x) return "L" + x.in() + "-" + x.out();
            if (l instanceof Conv2d c)
                return "C" + c.inChannels() + "-" + c.outChannels() + "k" + c.kernelH() + "s" + c.stride() + "p" + c.padding();
            if (l instanceof Normalize z) return "N" + z.mean().length;
            return l instanceof Relu ? "R" : "F";
        }).collect(Collectors.joining(","));
    }

    static Network loadShared(Path p) {
        assumeTrue(Files.exists(p), p + " is absent");
        return OnnxImporter.load(p);
    }

    static double[] random(Random r, int n) {
        return r.doubles(n).toArray();
    }

    /** Our import (plain forward, and DJL float64 when djl) against the op-by-op interpretation of the file. */
    static void assertMatchesGraph(Path file, Network net, long[] inDims, double[] x, boolean djl) throws Exception {
        double[] want = OnnxTestSupport.interpret(OnnxProto.parseModel(Files.readAllBytes(file)), inDims, x);
        double[] got = OnnxTestSupport.forward(net, x);
        double scale = 1 + Arrays.stream(want).map(Math::abs).max().orElse(0);
        assertArrayEquals(want, got, 1e-9 * scale, file.getFileName() + ": folded network differs from the graph");
        assertTrue(Arrays.stream(got).allMatch(Double::isFinite));
        if (!djl) return;
        try (NDManager m = NDManager.newBaseManager(); TorchNet t = new TorchNet(net, m, DataType.FLOAT64)) {
            double[] y = t.forward(m.create(x, t.batchShape(1))).toDoubleArray();
            assertArrayEquals(want, y, 1e-9 * scale, file.getFileName() + ": TorchNet differs from the graph");
        }
    }

    @Test
    void tutorialNetsHaveTheirArchitectures() {
        String[][] expected = {
            {"model_small.onnx", "F,L784-50,R,L50-20,R,L20-10"},
            {"model_dnn_2.onnx", "F,L784-200,R,L200-10"},
            {"model_dnn_4.onnx", "F,L784-200,R,L200-100,R,L100-100,R,L100-10"},
            {"model_cnn.onnx", CNN},
            {"ch4_model_cnn.onnx", CNN},
            {"ch4_model_cnn_robust.onnx", CNN},
            {"ch4_model_cnn_robust_2.onnx", CNN.replace("C1-32k3s1p1", "C1-32k3s2p1").replace("C32-32k3s2p1", "C32-32k3s1p1")},
        };
        for (String[] e : expected) {
            Network n = loadShared(TUTORIAL.resolve(e[0]));
            assertArrayEquals(new int[] {1, 28, 28}, n.inputShape(), e[0]);
            assertEquals(e[1], sig(n), e[0]);
        }
    }

    @Test
    void modelSmallAgreesWithGraphAndTorch() throws Exception {
        Path p = TUTORIAL.resolve("model_small.onnx");
        Network net = loadShared(p);
        Random r = new Random(1);
        for (int i = 0; i < 3; i++) assertMatchesGraph(p, net, new long[] {1, 1, 28, 28}, random(r, 784), true);
    }

    @Test
    void tutorialCleanErrorsMatchTheReadme() throws Exception {
        Path images = SHARED.resolve("data/mnist-test/t10k-images-idx3-ubyte.gz");
        assumeTrue(Files.exists(images) && Files.exists(TUTORIAL));
        double[][] x = new double[10000][784];
        int[] y = new int[10000];
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(new GZIPInputStream(Files.newInputStream(images))))) {
            assertEquals(2051, in.readInt());
            in.skipNBytes(12);
            for (double[] img : x) for (int j = 0; j < 784; j++) img[j] = in.readUnsignedByte() / 255.0;
        }
        try (InputStream in = new GZIPInputStream(Files.newInputStream(images.resolveSibling("t10k-labels-idx1-ubyte.gz")))) {
            in.skipNBytes(8);
            for (int i = 0; i < y.length; i++) y[i] = in.read();
        }
        // Through DJL in float32, as the tutorial evaluated them; model_small also through the plain float64 forward.
        Object[][] cases = {{"model_small.onnx", 0.0321}, {"model_dnn_4.onnx", 0.0210}, {"model_cnn.onnx", 0.0105},
            {"ch4_model_cnn_robust_2.onnx", 0.0515}};
        for (Object[] c : cases) {
            Network net = OnnxImporter.load(TUTORIAL.resolve((String) c[0]));
            int wrong = 0;
            try (NDManager m = NDManager.newBaseManager(); TorchNet t = new TorchNet(net, m, DataType.FLOAT32)) {
                for (int b = 0; b < 10000; b += 500) {
                    double[] flat = new double[500 * 784];
                    for (int i = 0; i < 500; i++) System.arraycopy(x[b + i], 0, flat, i * 784, 784);
                    long[] labels;
                    // A sub-manager per batch: the activations of 20 batches held to the end took 12 GB.
                    try (NDManager batch = m.newSubManager()) {
                        labels = t.forward(batch.create(flat, t.batchShape(500)).toType(DataType.FLOAT32, false)).argMax(1).toLongArray();
                    }
                    for (int i = 0; i < 500; i++) if (labels[i] != y[b + i]) wrong++;
                }
            }
            assertEquals((double) c[1], wrong / 10000.0, 2.5e-4, c[0] + " clean error");
            if (c[0].equals("model_small.onnx")) {
                int plainWrong = 0;
                for (int i = 0; i < 10000; i++) if (argmax(OnnxTestSupport.forward(net, x[i])) != y[i]) plainWrong++;
                assertEquals(wrong, plainWrong);
            }
        }
    }

    static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    @Test
    void vnncompNetsImportAndMatchTheirGraphs() throws Exception {
        assumeTrue(Files.isDirectory(BENCH), BENCH + " is absent");
        Random r = new Random(7);
        List<Path> acas = list(BENCH.resolve("acasxu"), ".onnx");
        assertEquals(45, acas.size());
        String acasSig = "F,L5-50" + ",R,L50-50".repeat(5) + ",R,L50-5";
        for (Path p : acas) {
            Network n = OnnxImporter.load(p);
            assertArrayEquals(new int[] {1, 1, 5}, n.inputShape(), p.toString());
            assertEquals(acasSig, sig(n), p.toString());
            assertMatchesGraph(p, n, new long[] {1, 1, 1, 5}, r.doubles(5, -0.5, 0.5).toArray(), p.endsWith("ACASXU_run2a_1_1_batch_2000.onnx"));
        }
        List<Path> fc = list(BENCH.resolve("mnistfc"), ".onnx");
        assertEquals(3, fc.size());
        for (Path p : fc) {
            Network n = OnnxImporter.load(p);
            int hidden = Integer.parseInt(p.getFileName().toString().replaceAll(".*x(\\d+)\\.onnx", "$1"));
            assertArrayEquals(new int[] {784, 1}, n.inputShape(), p.toString());
            assertEquals("F,L784-256" + ",R,L256-256".repeat(hidden - 1) + ",R,L256-10", sig(n), p.toString());
            assertMatchesGraph(p, n, new long[] {1, 784, 1}, random(r, 784), true);
            assertSpecsMostlyHold(n, list(BENCH.resolve("mnistfc"), ".vnnlib"));
        }
        Path eran = BENCH.resolve("eran/nets/mnist_relu_9_200.onnx");
        Network n = OnnxImporter.load(eran);
        // Its in-graph normalization is (x - 0) / 1, the identity, so no Normalize layer is kept.
        assertEquals("F,L784-200" + ",R,L200-200".repeat(7) + ",R,L200-10,R", sig(n));
        assertMatchesGraph(eran, n, new long[] {1, 1, 28, 28}, random(r, 784), true);
        assertSpecsMostlyHold(n, list(BENCH.resolve("eran/specs/mnist"), ".vnnlib"));
    }

    static List<Path> list(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        }
    }

    /**
     * The centre of each robustness spec's input box should mostly be classified as the spec's label (the
     * specs are built around correctly classified test images): a check of the weights beyond shapes.
     */
    static void assertSpecsMostlyHold(Network net, List<Path> specs) throws IOException {
        Pattern bound = Pattern.compile("\\(assert \\((<=|>=) X_(\\d+) ([-0-9.e]+)\\)\\)");
        Pattern label = Pattern.compile("\\(>= Y_\\d+ Y_(\\d+)\\)");
        int ok = 0;
        for (Path spec : specs) {
            double[] lo = new double[net.inputSize()], hi = new double[net.inputSize()];
            String text = Files.readString(spec);
            Matcher m = bound.matcher(text);
            while (m.find()) (m.group(1).equals("<=") ? hi : lo)[Integer.parseInt(m.group(2))] = Double.parseDouble(m.group(3));
            Matcher l = label.matcher(text);
            assertTrue(l.find(), spec.toString());
            double[] mid = new double[lo.length];
            for (int i = 0; i < mid.length; i++) mid[i] = (lo[i] + hi[i]) / 2;
            if (argmax(OnnxTestSupport.forward(net, mid)) == Integer.parseInt(l.group(1))) ok++;
        }
        assertTrue(ok >= 0.9 * specs.size(), ok + " of " + specs.size() + " spec centres classified as their label");
    }

    @Test
    void eranSigmoidNetIsRejectedByName() {
        Path p = BENCH.resolve("eran/nets/ffnnSIGMOID__Point_6x200.onnx");
        assumeTrue(Files.exists(p));
        InputError e = assertThrows(InputError.class, () -> OnnxImporter.load(p));
        assertTrue(e.getMessage().contains("unsupported ONNX operator 'Sigmoid' (node Sigmoid_6)"), e.getMessage());
    }

    // ---- hand-built models -----------------------------------------------------------------------------

    Path write(String name, ModelWriter w) throws IOException {
        return Files.write(tmp.resolve(name), w.bytes());
    }

    static ModelWriter sigmoidModel() {
        return new ModelWriter().input("x", -1, 4).output("y", -1, 4)
                .node("Sigmoid", "squash", List.of("x"), List.of("y"));
    }

    @Test
    void unsupportedOperatorIsNamed() throws IOException {
        Path p = write("sig.onnx", sigmoidModel());
        InputError e = assertThrows(InputError.class, () -> OnnxImporter.load(p));
        assertTrue(e.getMessage().startsWith(p.toString() + ": unsupported ONNX operator 'Sigmoid' (node squash); supported: Gemm, MatMul"),
                e.getMessage());
    }

    @Test
    void missingTruncatedAndForeignFilesAreInputErrors() throws IOException {
        Path missing = tmp.resolve("nope.onnx");
        assertTrue(assertThrows(InputError.class, () -> OnnxImporter.load(missing)).getMessage().contains("nope.onnx"));
        byte[] whole = perChannelConvModel().bytes();
        Path cut = Files.write(tmp.resolve("cut.onnx"), Arrays.copyOf(whole, whole.length * 2 / 3));
        InputError e = assertThrows(InputError.class, () -> OnnxImporter.load(cut));
        assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
        Path text = Files.writeString(tmp.resolve("text.onnx"), "layers:\n  - relu\n");
        assertTrue(assertThrows(InputError.class, () -> OnnxImporter.load(text)).getMessage().startsWith(text.toString()));
        Path p = TUTORIAL.resolve("model_small.onnx");
        if (Files.exists(p)) {
            byte[] b = Files.readAllBytes(p);
            Path half = Files.write(tmp.resolve("half.onnx"), Arrays.copyOf(b, b.length / 2));
            assertTrue(assertThrows(InputError.class, () -> OnnxImporter.load(half)).getMessage().contains("not a readable ONNX model"));
        }
    }

    /** (x - mean) / std per channel, Conv, per-channel Mul/Add after it, Relu, Flatten, MatMul + Add, Div, const - x. */
    static ModelWriter perChannelConvModel() {
        Random r = new Random(3);
        return new ModelWriter().input("x", -1, 3, 6, 6).output("y", -1, 5)
                .init("mean", new long[] {1, 3, 1, 1}, new double[] {0.5, 0.25, 0.125})
                .init("w", new long[] {4, 3, 3, 3}, r.doubles(108, -1, 1).toArray())
                .init("b", new long[] {4}, r.doubles(4, -1, 1).toArray())
                .init("scale", new long[] {4, 1, 1}, new double[] {2, -1, 0.5, 3})
                .init("shift", new long[] {1, 4, 1, 1}, new double[] {0.1, -0.2, 0.3, 0})
                .init("fc", new long[] {36, 5}, r.doubles(180, -1, 1).toArray())
                .init("fcb", new long[] {5}, r.doubles(5, -1, 1).toArray())
                .initInt64("flat", 1, -1)
                .node("Sub", "sub", List.of("x", "mean"), List.of("a"))
                .node("Constant", "stdc", List.of(), List.of("std"), tensorAttr("value", new long[] {3, 1, 1}, new double[] {0.5, 2, 0.25}))
                .node("Div", "div", List.of("a", "std"), List.of("b0"))
                .node("Conv", "conv", List.of("b0", "w", "b"), List.of("c"), intsAttr("pads", 1, 1, 1, 1),
                        intsAttr("strides", 2, 2), intsAttr("kernel_shape", 3, 3), intAttr("group", 1))
                .node("Mul", "mul", List.of("scale", "c"), List.of("d"))
                .node("Add", "add", List.of("d", "shift"), List.of("e"))
                .node("Relu", "relu", List.of("e"), List.of("f"))
                .node("Reshape", "flat", List.of("f", "flat"), List.of("g"))
                .node("MatMul", "mm", List.of("g", "fc"), List.of("h"))
                .node("Add", "mmb", List.of("h", "fcb"), List.of("i"))
                .node("Constant", "two", List.of(), List.of("k2"), tensorAttr("value", new long[0], new double[] {2}))
                .node("Div", "half", List.of("i", "k2"), List.of("j"))
                .node("Sub", "neg", List.of("k2", "j"), List.of("y"));
    }

    @Test
    void foldsPerChannelConstantsAndNormalization() throws Exception {
        Path p = write("conv.onnx", perChannelConvModel());
        Network n = OnnxImporter.load(p);
        assertEquals("N3,C3-4k3s2p1,R,F,L36-5", sig(n));
        Normalize z = (Normalize) n.layers().get(0);
        assertArrayEquals(new double[] {0.5, 0.25, 0.125}, z.mean(), 0);
        assertArrayEquals(new double[] {0.5, 2, 0.25}, z.std(), 0);
        Random r = new Random(5);
        for (int i = 0; i < 3; i++) assertMatchesGraph(p, n, new long[] {1, 3, 6, 6}, random(r, 108), i == 0);
    }

    @Test
    void foldsPerElementInputShiftIntoTheFirstGemm() throws Exception {
        Random r = new Random(4);
        ModelWriter w = new ModelWriter().input("x", 1, 1, 6).output("y", 1, 3)
                .init("avg", new long[] {1, 1, 6}, r.doubles(6).toArray())
                .init("w1", new long[] {6, 4}, r.doubles(24, -1, 1).toArray())
                .init("b1", new long[] {1, 4}, r.doubles(4).toArray())
                .init("w2", new long[] {3, 4}, r.doubles(12, -1, 1).toArray())
                .node("Sub", "sub", List.of("x", "avg"), List.of("a"))
                .node("Constant", "k", List.of(), List.of("k"), tensorAttr("value", new long[] {1}, new double[] {-3}))
                .node("Mul", "mul", List.of("a", "k"), List.of("b"))
                .node("Flatten", "fl", List.of("b"), List.of("c"), intAttr("axis", 1))
                .node("Gemm", "g1", List.of("c", "w1", "b1"), List.of("d"), floatAttr("alpha", 0.5f), floatAttr("beta", 2f))
                .node("Relu", "r", List.of("d"), List.of("e"))
                .node("Gemm", "g2", List.of("e", "w2"), List.of("y"), intAttr("transB", 1));
        Path p = write("acas-like.onnx", w);
        Network n = OnnxImporter.load(p);
        assertArrayEquals(new int[] {1, 6}, n.inputShape());
        assertEquals("F,L6-4,R,L4-3", sig(n));
        for (int i = 0; i < 3; i++) assertMatchesGraph(p, n, new long[] {1, 1, 6}, random(r, 6), i == 0);
    }

    static String rejection(Path dir, String name, ModelWriter w) throws IOException {
        Path p = Files.write(dir.resolve(name), w.bytes());
        return assertThrows(InputError.class, () -> OnnxImporter.load(p)).getMessage();
    }

    @Test
    void unsupportedStructuresAreRejectedWithTheReason() throws IOException {
        double[] w9 = new double[9];
        ModelWriter group = new ModelWriter().input("x", -1, 1, 4, 4).output("y", -1, 1)
                .init("w", new long[] {1, 1, 3, 3}, w9)
                .node("Conv", "c", List.of("x", "w"), List.of("y"), intAttr("group", 2));
        assertTrue(rejection(tmp, "g.onnx", group).contains("node c (Conv): weight dims [1, 1, 3, 3] (group 2) do not fit the input [1, 4, 4]"));
        ModelWriter pool = new ModelWriter().input("x", -1, 1, 4, 4).output("y", -1, 1)
                .node("MaxPool", "p", List.of("x"), List.of("y"), intsAttr("kernel_shape", 2, 2), intsAttr("pads", 1, 1, 0, 0));
        assertTrue(rejection(tmp, "p.onnx", pool).contains("node p (MaxPool): attribute 'pads' = [1, 1, 0, 0] is not supported"));
        ModelWriter reshape = new ModelWriter().input("x", -1, 1, 4, 4).output("y", -1, 4, 4)
                .initInt64("s", 4, -1)
                .node("Reshape", "rs", List.of("x", "s"), List.of("y"));
        assertTrue(rejection(tmp, "r.onnx", reshape).contains("the batch must stay the leading dimension"));
        ModelWriter product = new ModelWriter().input("x", -1, 4).output("y", -1, 4)
                .node("Relu", "r", List.of("x"), List.of("a"))
                .node("Mul", "gate", List.of("a", "x"), List.of("y"));
        assertTrue(rejection(tmp, "b.onnx", product).contains("node gate (Mul) reads 2 computed values [a, x]; only Add and Concat join branches"));
        ModelWriter negConv = new ModelWriter().input("x", -1, 1, 4, 4).output("y", -1, 4)
                .init("w", new long[] {1, 1, 3, 3}, w9)
                .init("k", new long[] {1}, new double[] {-1})
                .node("Mul", "neg", List.of("x", "k"), List.of("a"))
                .node("Conv", "c", List.of("a", "w"), List.of("b"))
                .node("Flatten", "f", List.of("b"), List.of("y"));
        assertTrue(rejection(tmp, "n.onnx", negConv).contains("neither a per-channel normalization"));
        ModelWriter softmaxInside = new ModelWriter().input("x", -1, 4).output("y", -1, 4)
                .node("Softmax", "sm", List.of("x"), List.of("a"))
                .node("Relu", "r", List.of("a"), List.of("y"));
        assertTrue(rejection(tmp, "s.onnx", softmaxInside).contains("node sm (Softmax): Softmax is supported only as the last node"));
    }

    /** PyTorch's exporter aliases shared weights with Identity nodes on initializers. */
    @Test
    void identityOnAConstantIsAnAlias() throws Exception {
        Random r = new Random(2);
        ModelWriter w = new ModelWriter().input("x", -1, 4).output("y", -1, 3)
                .init("w", new long[] {4, 3}, r.doubles(12, -1, 1).toArray())
                .node("Identity", "alias", List.of("w"), List.of("w2"))
                .node("MatMul", "mm", List.of("x", "w2"), List.of("y"));
        Network n = OnnxImporter.load(write("alias.onnx", w));
        assertEquals("L4-3", sig(n));
    }

    /** A residual join, a constant Mul after a ReLU (a Normalize layer), a final Softmax dropped with a warning. */
    @Test
    void residualBranchesAndMidNetworkConstantsImport() throws Exception {
        Random r = new Random(9);
        ModelWriter w = new ModelWriter().input("x", -1, 4).output("y", -1, 3)
                .init("w1", new long[] {4, 4}, r.doubles(16, -1, 1).toArray())
                .init("k", new long[] {1}, new double[] {2})
                .init("w2", new long[] {4, 3}, r.doubles(12, -1, 1).toArray())
                .node("Relu", "r", List.of("x"), List.of("a"))
                .node("Mul", "m", List.of("a", "k"), List.of("b"))
                .node("MatMul", "mm", List.of("b", "w1"), List.of("c"))
                .node("Add", "skip", List.of("c", "x"), List.of("d"))
                .node("MatMul", "out", List.of("d", "w2"), List.of("e"))
                .node("Softmax", "sm", List.of("e"), List.of("y"));
        Path p = write("res.onnx", w);
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        Network n = OnnxImporter.load(p, new java.io.PrintStream(err, true));
        assertTrue(err.toString().contains("node sm (Softmax) at the output is dropped"), err.toString());
        assertEquals(List.of("relu", "linear", "add", "linear"), n.layers().stream().map(Layer::type).toList());
        assertFalse(n.isChain());
        assertTrue(n.boundRuleGap().isEmpty(), "a residual Add has bound rules: " + n.boundRuleGap());
        // The Mul by 2 after the ReLU is absorbed by the MatMul that reads it.
        double[] x = r.doubles(4, -1, 1).toArray();
        Linear l1 = (Linear) n.layers().get(1), l2 = (Linear) n.layers().get(3);
        double[] d = new double[4], want = new double[3];
        for (int o = 0; o < 4; o++) {
            d[o] = x[o];
            for (int i = 0; i < 4; i++) d[o] += l1.w(o, i) * Math.max(x[i], 0);
        }
        for (int o = 0; o < 3; o++) for (int i = 0; i < 4; i++) want[o] += l2.w(o, i) * d[i];
        // Independently of the folding: the weights of mm times 2.
        Tensor w1 = OnnxProto.parseModel(Files.readAllBytes(p)).initializers().get("w1");
        assertEquals(2 * w1.data()[1 * 4 + 0], l1.w(0, 1), 1e-12);
        try (NDManager m = NDManager.newBaseManager(); TorchNet t = new TorchNet(n, m, DataType.FLOAT64)) {
            assertArrayEquals(want, t.forward(m.create(x, t.batchShape(1))).toDoubleArray(), 1e-12);
        }
    }
}
