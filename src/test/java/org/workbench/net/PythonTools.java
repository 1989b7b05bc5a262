package org.workbench.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Finds a Python 3 with the given modules (Debian's python3-torch etc. live in /usr/bin/python3's path) and runs it. */
public final class PythonTools {
    private PythonTools() {}

    /** The first interpreter that imports every module, or empty (tests then skip). */
    public static Optional<String> withModules(String... modules) {
        for (String exe : List.of("/usr/bin/python3", "python3")) {
            try {
                if (run(exe, 120, "-c", "import " + String.join(", ", modules)).exit() == 0) return Optional.of(exe);
            } catch (IOException e) {
                // not installed: try the next one
            }
        }
        return Optional.empty();
    }

    public record Result(int exit, String output) {}

    public static Result run(String exe, int timeoutSeconds, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(exe));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile("python", ".log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
