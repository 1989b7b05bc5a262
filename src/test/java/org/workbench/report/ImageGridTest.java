package org.workbench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.workbench.cli.Main;

/** Image grids from a tiny run with witnesses: clean, attacked and magnified perturbation per sample. */
class ImageGridTest {
    @Test
    void solveWithWitnessesDrawsTheGridAndReportNeedsTheProblem(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        assertEquals(0, Main.run("solve", "problems/linf.yaml", "--set", "data.samples=8", "--set", "threat.eps=[0.1]",
                "--set", "solvers=[fgsm]", "--set", "witnesses=true", "--set", "output=" + out));
        Path fig = out.resolve("figures");
        FigureChecks.checkDrawing(fig, "images-eps0.1");
        List<String> rows = Files.readAllLines(fig.resolve("images-eps0.1.csv"));
        assertEquals("eps,sample,panel,true_class,predicted_class,solver", rows.get(0));
        assertEquals(3 * ImageGrid.COLUMNS, rows.size() - 1, "three images per column, six columns");
        // The attacked row shows the class the float64 check found at the stored witness.
        Map<Integer, Integer> witnessClass = new HashMap<>();
        for (ResultLine r : ResultsFile.read(out).lines()) witnessClass.put(r.sample(), r.witnessClass());
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",", -1);
            if (f[2].equals("attack")) assertEquals(witnessClass.get(Integer.parseInt(f[1])), Integer.valueOf(f[4]), row);
        }
        assertTrue(Files.readString(fig.resolve("images-eps0.1.tex")).contains("\\includegraphics"));

        // report alone redraws it given the problem; without witnesses it says so in one line.
        Files.delete(fig.resolve("images-eps0.1.png"));
        assertEquals(0, Main.run("report", out.toString(), "--problem", "problems/linf.yaml"));
        assertTrue(Files.exists(fig.resolve("images-eps0.1.png")));

        Path plain = tmp.resolve("plain");
        assertEquals(0, Main.run("solve", "problems/linf.yaml", "--set", "data.samples=4", "--set", "threat.eps=[0.1]",
                "--set", "solvers=[fgsm]", "--set", "output=" + plain));
        PrintStream old = System.out;
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(text, true, StandardCharsets.UTF_8));
            assertEquals(0, Main.run("report", plain.toString(), "--problem", "problems/linf.yaml"));
        } finally {
            System.setOut(old);
        }
        assertTrue(text.toString(StandardCharsets.UTF_8).contains("images: no witnesses in the results"), text.toString());
        assertFalse(Files.exists(plain.resolve("figures/images-eps0.1.png")));
    }
}
