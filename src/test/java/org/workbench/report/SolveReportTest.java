package org.workbench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.workbench.cli.Main;

/** A tiny real run (the shipped MLP, PGD beside CROWN) ends with its figures, one scatter point per sample and eps. */
class SolveReportTest {
    @Test
    void solveWritesTheFiguresOfItsRun(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        int samples = 12;
        assertEquals(0, Main.run("solve", "problems/verify-mlp.yaml", "--set", "data.samples=" + samples, "--set", "threat.eps=[0.01, 0.05]",
                "--set", "solvers=[pgd-linf, crown]", "--set", "output=" + out));
        Path fig = out.resolve("figures");
        List<String[]> scatter = FigureChecks.check(fig, "bound-scatter");
        long points = FigureChecks.count(scatter, "verified") + FigureChecks.count(scatter, "attacked") + FigureChecks.count(scatter, "open");
        assertEquals(samples * 2, points);
        for (String[] r : scatter) assertTrue(Double.parseDouble(r[2]) >= Double.parseDouble(r[1]), "attack <= certificate: " + String.join(",", r));
        List<String[]> acc = FigureChecks.check(fig, "accuracy-eps");
        assertEquals(2, FigureChecks.count(acc, "pgd-linf (attack)"));
        assertEquals(2, FigureChecks.count(acc, "crown (certified)"));
        assertTrue(Files.readString(fig.resolve("accuracy-eps.tex")).contains("$\\varepsilon$ ($\\ell_\\infty$ radius"), "the eps axis names the norm");
        assertTrue(Files.exists(fig.resolve("accuracy-table.md")));
    }
}
