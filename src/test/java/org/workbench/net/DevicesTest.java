package org.workbench.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.workbench.config.InputError;

/** The device key's values, resolved against a given number of GPUs. */
class DevicesTest {
    private static final Function<String, InputError> AT = msg -> new InputError("p.yaml:3: device: " + msg);

    private static String resolveLog(String spec, int gpus, Device expected) {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Device d = Devices.resolve(spec, AT, () -> gpus, new PrintStream(log, true, StandardCharsets.UTF_8));
        assertEquals(expected, d, spec + " with " + gpus + " GPUs");
        return log.toString(StandardCharsets.UTF_8);
    }

    @Test
    void autoWithoutGpuRunsOnTheCpuAndSaysSoInOneLine() {
        String log = resolveLog("auto", 0, Device.cpu());
        assertEquals(1, log.lines().count(), log);
        assertTrue(log.contains("device auto") && log.contains("no GPU") && log.contains("CPU"), log);
    }

    @Test
    void autoWithAGpuTakesTheFirstSilently() {
        assertEquals("", resolveLog("auto", 2, Device.gpu(0)));
    }

    @Test
    void explicitChoices() {
        assertEquals("", resolveLog("cpu", 0, Device.cpu()));
        assertEquals("", resolveLog("cuda", 1, Device.gpu(0)));
        assertEquals("", resolveLog("cuda:1", 2, Device.gpu(1)));
    }

    @Test
    void cpuNeverAsksTheEngine() {
        assertEquals(Device.cpu(), Devices.resolve("cpu", AT, () -> { throw new AssertionError("engine asked"); }, System.err));
    }

    @Test
    void anEngineThatDoesNotLoadIsNamedAtTheKey() {
        InputError e = assertThrows(InputError.class, () -> Devices.resolve("auto", AT,
                () -> { throw new InputError("device: the PyTorch engine did not load: offline"); }, System.err));
        assertEquals("p.yaml:3: device: the PyTorch engine did not load: offline", e.getMessage());
    }

    @Test
    void cudaWithoutAGpuIsAnInputError() {
        InputError e = assertThrows(InputError.class, () -> resolveLog("cuda", 0, null));
        assertTrue(e.getMessage().startsWith("p.yaml:3: device: cuda requested but the PyTorch engine sees no GPU"), e.getMessage());
        e = assertThrows(InputError.class, () -> resolveLog("cuda:2", 2, null));
        assertTrue(e.getMessage().contains("sees only 2 GPU(s): cuda:0 to cuda:1"), e.getMessage());
    }

    @Test
    void unknownValuesNameWhatIsExpected() {
        for (String bad : new String[] {"gpu", "cuda:", "cuda:x", "CPU", "", "tpu:0"}) {
            InputError e = assertThrows(InputError.class, () -> resolveLog(bad, 1, null), bad);
            assertEquals("p.yaml:3: device: expected auto, cpu, cuda or cuda:N, got '" + bad + "'", e.getMessage());
        }
    }

    @Test
    void theCpuBuildSeesNoGpu() {
        // The default build ships the CPU libtorch; a CUDA build (-Pcuda) on a GPU machine sees at least one.
        org.junit.jupiter.api.Assumptions.assumeTrue(!Boolean.getBoolean("workbench.cuda.build"), "a -Pcuda build");
        assertEquals(0, Devices.gpuCount());
    }
}
