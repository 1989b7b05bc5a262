package org.workbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.workbench.report.FigureChecks;

/** The cactus plot (SVG, PDF, PNG, CSV, .tex) counts exactly the solved rows, sorted by time; bad files are one-line errors with exit 2. */
class PlotCommandTest {

    @Test
    void plotsSolvedInstancesOnly(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("runs.csv");
        Files.writeString(csv, "onnx,vnnlib,timeout,result,time_s,method\n"
                + "a.onnx,p.vnnlib,60,unsat,3.5,crown\n"
                + "a.onnx,q.vnnlib,60,timeout,60.1,crown\n"
                + "a.onnx,r.vnnlib,60,sat,0.2,attack\n");
        Path svg = dir.resolve("out/cactus.svg");
        assertEquals(0, Main.run("plot", "--out", svg.toString(), "mine=" + csv));
        List<String[]> rows = FigureChecks.check(dir.resolve("out"), "cactus");
        // Solved rows only, sorted by time: (1, 0.2) then (2, 3.5).
        assertEquals(2, rows.size());
        assertEquals("mine (2)", rows.get(0)[0]);
        assertEquals(List.of("1", "0.2"), List.of(rows.get(0)[1], rows.get(0)[2]));
        assertEquals(List.of("2", "3.5"), List.of(rows.get(1)[1], rows.get(1)[2]));
        assertTrue(Files.readString(dir.resolve("out/cactus.tex")).contains("ymode=log"));
    }

    @Test
    void rejectsAMissingFileAndAWrongHeader(@TempDir Path dir) throws Exception {
        Path svg = dir.resolve("c.svg");
        assertEquals(2, Main.run("plot", "--out", svg.toString(), dir.resolve("none.csv").toString()));
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "x,y\n1,2\n");
        assertEquals(2, Main.run("plot", "--out", svg.toString(), bad.toString()));
        assertFalse(Files.exists(svg));
    }
}
