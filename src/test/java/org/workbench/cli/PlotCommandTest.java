package org.workbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cactus plot counts exactly the solved rows, sorted by time; bad files are one-line errors with exit 2. */
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
        String text = Files.readString(svg);
        assertTrue(text.contains(">mine (2)</text>"), text);
        Matcher m = Pattern.compile("<polyline [^>]*points=\"([^\"]*)\"").matcher(text);
        assertTrue(m.find());
        String[] pts = m.group(1).split(" ");
        assertEquals(2, pts.length);
        // Sorted by time: the faster instance is drawn first, higher on the page (smaller y) means slower.
        double y0 = Double.parseDouble(pts[0].split(",")[1]), y1 = Double.parseDouble(pts[1].split(",")[1]);
        assertTrue(y0 > y1, m.group(1));
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
