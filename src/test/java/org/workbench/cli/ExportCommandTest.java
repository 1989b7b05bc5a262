package org.workbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.net.OnnxExporter;
import org.workbench.net.OnnxImporter;
import org.workbench.net.PythonTools;
import org.workbench.net.TorchNet;

/** `workbench export MODEL --onnx OUT`: import of the export gives the same logits; the file passes ONNX's checker. */
class ExportCommandTest {
    @TempDir
    Path tmp;

    static List<Path> shippedModels() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("models"))) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    static double[][] logits(Network net, double[][] x) {
        try (NDManager m = NDManager.newBaseManager(); TorchNet t = new TorchNet(net, m, DataType.FLOAT64)) {
            return t.logits(x);
        }
    }

    static double maxDifference(Network a, Network b, int samples) {
        Random r = new Random(3);
        double[][] x = new double[samples][a.inputSize()];
        for (double[] row : x) for (int i = 0; i < row.length; i++) row[i] = r.nextDouble();
        double[][] za = logits(a, x), zb = logits(b, x);
        double max = 0;
        for (int i = 0; i < samples; i++) for (int j = 0; j < za[i].length; j++) max = Math.max(max, Math.abs(za[i][j] - zb[i][j]));
        return max;
    }

    @Test
    void shippedModelsRoundTrip() throws IOException {
        List<Path> models = shippedModels();
        assertTrue(models.size() >= 3, models.toString());
        for (Path yaml : models) {
            Path out = tmp.resolve(yaml.getFileName().toString().replace(".yaml", ".onnx"));
            assertEquals(0, Main.run("export", yaml.toString(), "--onnx", out.toString()), yaml.toString());
            Network original = ModelFiles.load(yaml), back = OnnxImporter.load(out);
            assertEquals(original.layers().stream().map(l -> l.type()).toList(), back.layers().stream().map(l -> l.type()).toList());
            double d = maxDifference(original, back, 8);
            assertTrue(d <= 1e-6, yaml + ": export -> import changes the logits by " + d);
        }
    }

    /** Graph networks (every operator fixture and the small ResNet) survive import -> export -> import. */
    @Test
    void importedGraphsRoundTrip() throws IOException {
        List<Path> fixtures;
        try (Stream<Path> s = Files.list(Path.of("src/test/resources/onnx"))) {
            fixtures = s.filter(p -> p.toString().endsWith(".onnx")).sorted().toList();
        }
        for (Path p : fixtures) {
            Network a = OnnxImporter.load(p, new PrintStream(new ByteArrayOutputStream()));
            Path out = tmp.resolve(p.getFileName());
            OnnxExporter.write(a, out);
            Network b = OnnxImporter.load(out);
            assertEquals(a.layers().stream().map(l -> l.type()).toList(), b.layers().stream().map(l -> l.type()).toList(), p.toString());
            double d = maxDifference(a, b, 2);
            assertTrue(d <= 1e-6, p + ": import -> export -> import changes the logits by " + d);
        }
    }

    /** Debian's python3-onnx accepts what we write (full check, with shape inference); skipped without it. */
    @Test
    void onnxCheckerAcceptsExports() throws IOException {
        Optional<String> python = PythonTools.withModules("onnx");
        assumeTrue(python.isPresent(), "python3-onnx is not installed");
        List<Path> files = new java.util.ArrayList<>();
        for (Path yaml : shippedModels()) {
            Path out = tmp.resolve(yaml.getFileName().toString().replace(".yaml", ".onnx"));
            OnnxExporter.write(ModelFiles.load(yaml), out);
            files.add(out);
        }
        Path resnet = tmp.resolve("small_resnet.onnx");
        OnnxExporter.write(OnnxImporter.load(Path.of("src/test/resources/onnx/small_resnet.onnx")), resnet);
        files.add(resnet);
        for (Path f : files) {
            PythonTools.Result r = PythonTools.run(python.get(), 120, "-c",
                    "import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)", f.toString());
            assertEquals(0, r.exit(), f + ": " + r.output());
        }
    }

    @Test
    void badOutputIsOneLineAndWritesNothing() throws IOException {
        Path yaml = shippedModels().get(0);
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        Path out = tmp.resolve("missing/dir/m.onnx");
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.run("export", yaml.toString(), "--onnx", out.toString());
        } finally {
            System.setErr(old);
        }
        assertEquals(2, code);
        String msg = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, msg.strip().lines().count(), msg);
        assertTrue(msg.contains("--onnx") && msg.contains("does not exist"), msg);
        assertFalse(Files.exists(tmp.resolve("missing")));
    }
}
