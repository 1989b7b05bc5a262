package org.workbench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.workbench.cli.Main;

/** A batch `verify --instances` ends with its cactus plot: one point per solved instance (ACAS Xu from ../shared). */
class BatchCactusTest {
    static final Path ACAS = Path.of("../shared/benchmarks/vnncomp2021/benchmarks/acasxu");

    @Test
    void batchVerifyDrawsItsCactusPlot(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isDirectory(ACAS), "../shared is absent");
        // Three instances this project solved in well under a second (results/verify/acasxu_instances.csv).
        List<String> fast = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("results/verify/acasxu_instances.csv")).subList(1, 187)) {
            String[] f = line.split(",");
            if (Double.parseDouble(f[4]) < 0.3 && fast.size() < 3) fast.add(ACAS.toAbsolutePath().resolve(f[0]) + "," + ACAS.toAbsolutePath().resolve(f[1]) + ",20");
        }
        Path csv = Files.write(tmp.resolve("few.csv"), fast);
        Path rows = tmp.resolve("out/few-rows.csv");
        assertEquals(0, Main.run("verify", "--instances", csv.toString(), "--results", rows.toString()));
        long solved = Files.readAllLines(rows).stream().filter(l -> l.contains(",sat,") || l.contains(",unsat,")).count();
        List<String[]> drawn = FigureChecks.check(tmp.resolve("out"), "few-rows-cactus");
        assertEquals(solved, drawn.size(), "one point per solved instance");
        assertEquals(3, solved);
    }
}
