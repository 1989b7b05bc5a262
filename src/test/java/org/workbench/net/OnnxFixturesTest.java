package org.workbench.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Imported networks against the logits PyTorch computed for them (fixtures made by src/test/python/make_onnx_fixtures.py:
 * one tiny network per operator and a small ResNet in src/test/resources/onnx; the ResNet-18-shaped network is
 * generated here when Debian's python3-torch is installed).
 */
class OnnxFixturesTest {
    static final Path FIXTURES = Path.of("src/test/resources/onnx");

    @TempDir
    Path tmp;

    record Fixture(Path model, int[] inputShape, double[] input, double[] logits) {
        static Fixture read(Path json) throws IOException {
            JsonObject o = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
            int[] shape = o.getAsJsonArray("input_shape").asList().stream().mapToInt(e -> e.getAsInt()).toArray();
            double[] in = o.getAsJsonArray("input").asList().stream().mapToDouble(e -> e.getAsDouble()).toArray();
            double[] z = o.getAsJsonArray("logits").asList().stream().mapToDouble(e -> e.getAsDouble()).toArray();
            return new Fixture(json.resolveSibling(json.getFileName().toString().replace(".json", ".onnx")), shape, in, z);
        }
    }

    /** The largest absolute difference between the imported network's output (float64 and float32) and PyTorch's. */
    static double[] maxError(Network net, Fixture f, boolean softmax) {
        double[] err = new double[2];
        int k = 0;
        for (DataType t : List.of(DataType.FLOAT64, DataType.FLOAT32)) {
            try (NDManager m = NDManager.newBaseManager(); TorchNet tn = new TorchNet(net, m, t)) {
                double[] z = tn.logits(new double[][] {f.input()})[0];
                if (softmax) z = softmax(z);
                assertEquals(f.logits().length, z.length, f.model() + " output size");
                for (int i = 0; i < z.length; i++) err[k] = Math.max(err[k], Math.abs(z[i] - f.logits()[i]));
            }
            k++;
        }
        return err;
    }

    static double[] softmax(double[] z) {
        double max = java.util.Arrays.stream(z).max().orElse(0), sum = 0;
        double[] p = new double[z.length];
        for (int i = 0; i < z.length; i++) sum += p[i] = Math.exp(z[i] - max);
        for (int i = 0; i < z.length; i++) p[i] /= sum;
        return p;
    }

    @Test
    void everyOperatorMatchesPyTorch() throws IOException {
        List<Path> jsons;
        try (Stream<Path> s = Files.list(FIXTURES)) {
            jsons = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertTrue(jsons.size() >= 14, "fixtures: " + jsons);
        List<String> wrong = new java.util.ArrayList<>();
        for (Path json : jsons) {
            Fixture f = Fixture.read(json);
            ByteArrayOutputStream warnings = new ByteArrayOutputStream();
            Network net = OnnxImporter.load(f.model(), new PrintStream(warnings, true));
            assertTrue(java.util.Arrays.equals(f.inputShape(), net.inputShape()), json + " input shape");
            boolean softmax = json.toString().contains("softmax");
            assertEquals(softmax, warnings.toString().contains("(Softmax) at the output is dropped"), json + ": " + warnings);
            double[] err = maxError(net, f, softmax);
            if (!(err[0] <= 1e-4 && err[1] <= 1e-4)) wrong.add(json.getFileName() + ": float64 error " + err[0] + ", float32 error " + err[1]);
        }
        assertTrue(wrong.isEmpty(), String.join("; ", wrong));
    }

    /** The operators the fixtures are meant to cover really appear as layers (the exporter did not fold them away). */
    @Test
    void fixturesHoldTheirOperators() {
        assertTrue(types("op_batchnorm").contains("batchnorm"));
        assertTrue(types("op_conv_groups_dilation").contains("general-conv"));
        assertTrue(types("op_conv_depthwise").contains("general-conv"));
        assertTrue(types("op_maxpool").contains("maxpool"));
        assertTrue(types("op_avgpool").contains("avgpool"));
        assertTrue(types("op_global_avgpool").contains("global-avgpool"));
        assertTrue(types("op_residual_add").contains("add"));
        assertTrue(types("op_concat").contains("concat"));
        assertTrue(types("op_transpose_reshape").containsAll(List.of("transpose", "reshape")));
        assertTrue(types("op_mul_div").contains("normalize"));
        List<String> res = types("small_resnet");
        assertEquals(2, res.stream().filter("add"::equals).count(), res.toString());
        assertTrue(res.containsAll(List.of("conv2d", "maxpool", "global-avgpool", "linear")), res.toString());
    }

    static List<String> types(String name) {
        return OnnxImporter.load(FIXTURES.resolve(name + ".onnx")).layers().stream().map(Layer::type).toList();
    }

    /** The attack path through a graph: input gradients are finite and match a finite difference. */
    @Test
    void smallResnetGradientMatchesFiniteDifference() throws IOException {
        Fixture f = Fixture.read(FIXTURES.resolve("small_resnet.json"));
        Network net = OnnxImporter.load(f.model());
        try (NDManager m = NDManager.newBaseManager(); TorchNet tn = new TorchNet(net, m, DataType.FLOAT64)) {
            NDArray x = m.create(f.input(), tn.batchShape(1));
            TorchNet.Grad g = tn.inputGradient(x, z -> z.get(":, 3").sum());
            double[] grad = g.gradient().toDoubleArray();
            assertTrue(g.nonFinite() == null);
            int[] probe = {0, 100, 1500, 3071};
            for (int i : probe) {
                double[] a = f.input().clone(), b = f.input().clone();
                a[i] += 1e-6;
                b[i] -= 1e-6;
                double fd = (tn.logits(new double[][] {a})[0][3] - tn.logits(new double[][] {b})[0][3]) / 2e-6;
                assertEquals(fd, grad[i], 1e-6 + 1e-4 * Math.abs(fd), "coordinate " + i);
            }
        }
    }

    /** Input gradients through every operator (as attacks use them) against central finite differences, in float64. */
    @Test
    void everyOperatorsGradientMatchesFiniteDifferences() throws IOException {
        List<Path> jsons;
        try (Stream<Path> s = Files.list(FIXTURES)) {
            jsons = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        java.util.Random r = new java.util.Random(11);
        for (Path json : jsons) {
            Fixture f = Fixture.read(json);
            Network net = OnnxImporter.load(f.model(), new PrintStream(new ByteArrayOutputStream()));
            double[] weights = r.doubles(net.numClasses(), -1, 1).toArray();
            try (NDManager m = NDManager.newBaseManager(); TorchNet tn = new TorchNet(net, m, DataType.FLOAT64)) {
                NDArray w = m.create(weights).reshape(1, -1);
                NDArray x = m.create(f.input(), tn.batchShape(1));
                double[] grad = tn.inputGradient(x, z -> z.mul(w).sum()).gradient().toDoubleArray();
                for (int k = 0; k < 6; k++) {
                    int i = r.nextInt(f.input().length);
                    double[] a = f.input().clone(), b = f.input().clone();
                    a[i] += 1e-6;
                    b[i] -= 1e-6;
                    double fa = dot(weights, tn.logits(new double[][] {a})[0]), fb = dot(weights, tn.logits(new double[][] {b})[0]);
                    double fd = (fa - fb) / 2e-6;
                    // Max pooling and ReLU have kinks; a probe that straddles one is skipped rather than failed.
                    if (Math.abs(fd - grad[i]) > 1e-6 + 1e-4 * Math.abs(fd)) {
                        double[] c = f.input().clone();
                        c[i] += 1e-7;
                        double fc = (dot(weights, tn.logits(new double[][] {c})[0]) - dot(weights, tn.logits(new double[][] {f.input()})[0])) / 1e-7;
                        assertEquals(fc, grad[i], 1e-5 + 1e-3 * Math.abs(fc), json.getFileName() + " coordinate " + i);
                    }
                }
            }
        }
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /** ResNet-18's shape at 224x224 (45 MB, so generated here, never committed); skipped without python3-torch. */
    @Test
    void resnet18MatchesPyTorch() throws IOException {
        Optional<String> python = PythonTools.withModules("torch", "torchvision", "onnx");
        assumeTrue(python.isPresent(), "python3-torch, python3-torchvision and python3-onnx are not installed");
        PythonTools.Result r = PythonTools.run(python.get(), 300, "src/test/python/make_onnx_fixtures.py", tmp.toString(), "--resnet18");
        assertEquals(0, r.exit(), r.output());
        Fixture f = Fixture.read(tmp.resolve("resnet18.json"));
        Network net = OnnxImporter.load(f.model());
        assertEquals(1000, net.numClasses());
        assertFalse(net.isChain());
        double[] err = maxError(net, f, false);
        assertTrue(err[0] <= 1e-4 && err[1] <= 1e-4, "float64 error " + err[0] + ", float32 error " + err[1]);
    }
}
