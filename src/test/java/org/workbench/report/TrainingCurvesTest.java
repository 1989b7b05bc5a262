package org.workbench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.workbench.cli.Main;

/** Training curves from a training log: loss, errors and eps schedule; missing columns, bad lines, a real run. */
class TrainingCurvesTest {
    @TempDir
    Path tmp;

    private static final String HEADER = "epoch,lr,eps,kappa,train_loss,train_error,test_error,attack_error,verified_error,seconds\n";

    @Test
    void drawsLossErrorsAndTheEpsSchedule() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        StringBuilder sb = new StringBuilder(HEADER);
        for (int e = 1; e <= 6; e++)
            sb.append(String.format(java.util.Locale.ROOT, "%d,0.001,%s,0.5,%s,0.2,0.1,%s,%s,1.0%n", e, 0.02 * Math.min(e, 4), 1.0 / e, 0.5 / e,
                    e < 3 ? "" : "0.8"));
        Files.writeString(run.resolve("train.csv"), sb.toString());
        assertEquals(0, Main.run("report", run.toString()));
        Path fig = run.resolve("figures");
        List<String[]> loss = FigureChecks.check(fig, "training-loss");
        assertEquals(6, loss.size());
        assertEquals(0.25, Double.parseDouble(loss.get(3)[2]), 1e-12, "epoch 4's loss");
        List<String[]> err = FigureChecks.check(fig, "training-error");
        assertEquals(6, FigureChecks.count(err, "training batches"));
        assertEquals(6, FigureChecks.count(err, "test under attack"));
        assertEquals(4, FigureChecks.count(err, "test not verified"), "epochs without a verified error are not drawn");
        assertEquals(20.0, Double.parseDouble(err.get(0)[2]), 1e-9, "errors in percent");
        List<String[]> eps = FigureChecks.check(fig, "training-eps");
        assertEquals(6, eps.size());
        assertEquals(0.08, Double.parseDouble(eps.get(5)[2]), 1e-12);
    }

    @Test
    void anOlderLogWithoutEpsSaysSoAndBadLinesAreOneLineErrors() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("old"));
        Files.writeString(run.resolve("train.csv"), "epoch,lr,train_loss,train_error,test_error,seconds\n1,0.001,0.8,0.2,0.1,2.0\n2,0.001,0.3,0.1,0.05,2.0\n");
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            assertEquals(0, Main.run("report", run.toString()));
        } finally {
            System.setOut(old);
        }
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("training-eps: no data to plot, no figure written"));
        assertFalse(Files.exists(run.resolve("figures/training-eps.png")));
        assertEquals(2, FigureChecks.check(run.resolve("figures"), "training-loss").size());

        Path bad = Files.createDirectories(tmp.resolve("bad"));
        Files.writeString(bad.resolve("train.csv"), HEADER + "1,0.001,0.1,,0.5,0.2,0.1,,,1.0\n2,0.001,0.1,,zero,0.2,0.1,,,1.0\n");
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.run("report", bad.toString());
        } finally {
            System.setErr(oldErr);
        }
        String text = err.toString(StandardCharsets.UTF_8).trim();
        assertEquals(2, code, text);
        assertEquals(1, text.lines().count(), text);
        assertTrue(text.contains(bad.resolve("train.csv") + ":3: train_loss: expected a number, got 'zero'"), text);
        assertFalse(Files.exists(bad.resolve("figures")));
    }

    @Test
    void trainingEndsWithItsCurves() throws Exception {
        Path log = tmp.resolve("mlp/train.csv");
        assertEquals(0, Main.run("train", "problems/train-mlp.yaml", "--set", "training.epochs=2", "--set", "data.train_samples=100",
                "--set", "output=" + tmp.resolve("mlp/model.yaml"), "--set", "log=" + log, "--set", "checkpoint=" + tmp.resolve("mlp/ckpt")));
        List<String[]> loss = FigureChecks.check(tmp.resolve("mlp/figures"), "training-loss");
        assertEquals(2, loss.size(), "one point per epoch");
        assertEquals(2, FigureChecks.count(FigureChecks.check(tmp.resolve("mlp/figures"), "training-error"), "clean test"));
    }
}
