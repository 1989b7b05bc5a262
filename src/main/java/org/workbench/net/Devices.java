package org.workbench.net;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import java.io.PrintStream;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.workbench.config.InputError;
import org.workbench.config.YNode;

/**
 * Where tensors live: the {@code device} key of problems and training recipes ({@code auto | cpu | cuda | cuda:N}) and
 * {@code verify --device}, resolved once to a DJL device. Every base manager of a run is made on it, and every tensor
 * made from one of its sub-managers follows; data types are not touched, so float64 bounds stay float64 on a GPU.
 */
public final class Devices {
    public static final String EXPECTED = "expected auto, cpu, cuda or cuda:N";
    private static final Pattern SPEC = Pattern.compile("auto|cpu|cuda(?::(\\d+))?");

    private Devices() {}

    /** The device a key names; an absent key is the CPU, as before the key existed. */
    public static Device of(YNode parent, String key, PrintStream log) {
        if (!parent.has(key)) return Device.cpu();
        YNode n = parent.get(key);
        return resolve(n.isScalar() && !n.isNull() ? n.string() : "", n::error, log);
    }

    /** The device a command-line option names, e.g. {@code --device cuda:1}. */
    public static Device option(String option, String value, PrintStream log) {
        return resolve(value, msg -> new InputError(option + " " + value + ": " + msg), log);
    }

    static Device resolve(String spec, Function<String, InputError> error, PrintStream log) {
        return resolve(spec, error, Devices::gpuCount, log);
    }

    /** As above, with the number of GPUs given (tests pass 0); it is asked only when a GPU may be wanted. */
    static Device resolve(String spec, Function<String, InputError> error, IntSupplier gpuCount, PrintStream log) {
        Matcher m = SPEC.matcher(spec.trim());
        if (!m.matches()) throw error.apply(EXPECTED + ", got '" + spec + "'");
        String s = m.group();
        if (s.equals("cpu")) return Device.cpu();
        int gpus;
        try {
            gpus = gpuCount.getAsInt();
        } catch (InputError e) {
            throw error.apply(e.getMessage().replaceFirst("^device: ", "")); // named at the key or option
        }
        if (s.equals("auto")) {
            if (gpus > 0) return Device.gpu(0);
            log.println("workbench: device auto: no GPU visible to the PyTorch engine, running on the CPU");
            return Device.cpu();
        }
        int index = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
        if (gpus == 0)
            throw error.apply(s + " requested but the PyTorch engine sees no GPU (a CPU build, or no CUDA device): use cpu or auto,"
                    + " or build with -Pcuda on a machine with CUDA 12.4");
        if (index >= gpus) throw error.apply(s + " requested but the PyTorch engine sees only " + gpus + " GPU(s): cuda:0 to cuda:" + (gpus - 1));
        return Device.gpu(index);
    }

    /** GPUs the loaded PyTorch engine can use (0 with the CPU libtorch of the default build). */
    public static int gpuCount() {
        try {
            return Engine.getEngine("PyTorch").getGpuCount();
        } catch (EngineException e) {
            // A -Pcuda build on a machine where DJL finds no CUDA wants to download a CPU libtorch, which offline it cannot.
            throw new InputError("device: the PyTorch engine did not load: " + e.getMessage());
        }
    }
}
