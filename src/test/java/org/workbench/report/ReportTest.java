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
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.workbench.cli.Main;

/**
 * `workbench report` on synthetic results: every figure type's files (SVG as XML, one-page PDF, PNG of the stated
 * size, one CSV row per point drawn), the tables, the no-data case and bad input (one line, exit 2, nothing written).
 */
class ReportTest {
    @TempDir
    Path tmp;

    /** One line of results.jsonl with a worst-class margin m (other classes far below). */
    private static String line(int sample, double eps, String solver, String kind, double m, Double lower, String status) {
        String margins = String.format(Locale.ROOT, "[null,%s,-50.0]", m);
        String low = lower == null ? "" : String.format(Locale.ROOT, ",\"margins_lower\":[null,%s,-50.0]", lower);
        return String.format(Locale.ROOT, "{\"sample\":%d,\"label\":0,\"eps\":%s,\"solver\":\"%s\",\"kind\":\"%s\",\"margins\":%s%s,"
                + "\"status\":\"%s\",\"time_s\":0.01,\"setup\":\"s-%s\"}%n", sample, eps, solver, kind, margins, low, status, solver);
    }

    /** n samples at two eps: an attack, a relaxation above it, and an exact solver closing on half the samples. */
    private Path synthetic(int n, boolean certificates) throws Exception {
        Path run = tmp.resolve("run");
        Files.createDirectories(run);
        Random rnd = new Random(3);
        StringBuilder sb = new StringBuilder();
        for (double eps : new double[] {0.1, 0.2})
            for (int s = 0; s < n; s++) {
                double attack = rnd.nextGaussian() * 3 + 10 * eps - 1, gap = rnd.nextDouble() * 2, exact = attack + gap * rnd.nextDouble();
                sb.append(line(s, eps, "pgd", "lower", attack, null, attack > 0 ? "attacked" : "open"));
                if (!certificates) continue;
                sb.append(line(s, eps, "crown", "upper", attack + gap, null, attack + gap < 0 ? "verified" : "open"));
                boolean closed = s % 2 == 0;
                sb.append(line(s, eps, "mip", "exact", closed ? exact : attack + gap, closed ? exact : attack,
                        exact > 0 && closed ? "attacked" : closed ? "verified" : "open"));
            }
        Files.writeString(run.resolve("results.jsonl"), sb.toString());
        Files.writeString(run.resolve("summary.csv"), "eps,solver,kind,samples,attacked,verified,open,accuracy,clean_accuracy,time_s\n"
                + "0.1,pgd,lower,1,0,0,1,1.0,0.950000,0.1\n");
        return run;
    }

    @Test
    void writesEveryFigureWithOneCsvRowPerPointDrawn() throws Exception {
        int n = 25;
        Path run = synthetic(n, true);
        assertEquals(0, Main.run("report", run.toString()));
        Path fig = run.resolve("figures");

        List<String[]> scatter = FigureChecks.check(fig, "bound-scatter");
        long decided = FigureChecks.count(scatter, "verified") + FigureChecks.count(scatter, "attacked") + FigureChecks.count(scatter, "open");
        assertEquals(n * 2, decided, "one point per sample and eps");
        assertEquals(2 * ((n + 1) / 2), FigureChecks.count(scatter, "exact"), "an exact marker where the bracket closed");
        for (String[] r : scatter) {
            double x = Double.parseDouble(r[1]), y = Double.parseDouble(r[2]);
            assertTrue(y >= x - 1e-12, "a sound run has no point below the diagonal: " + String.join(",", r));
            if (r[0].startsWith("verified")) assertTrue(y < 0, String.join(",", r));
            if (r[0].startsWith("attacked")) assertTrue(x > 0, String.join(",", r));
        }

        List<String[]> acc = FigureChecks.check(fig, "accuracy-eps");
        assertEquals(2, FigureChecks.count(acc, "undecided"), "one band row per eps");
        assertEquals(2, FigureChecks.count(acc, "clean"));
        for (String solver : List.of("pgd (attack)", "crown (certified)", "mip (exact)")) assertEquals(2, FigureChecks.count(acc, solver), solver);
        for (String[] r : acc)
            if (r[0].startsWith("undecided")) assertTrue(Double.parseDouble(r[2]) <= Double.parseDouble(r[3]), "certified <= attack accuracy");

        String tex = Files.readString(fig.resolve("accuracy-table.tex"));
        assertTrue(tex.contains("\\toprule") && tex.contains("\\midrule") && tex.contains("\\bottomrule"), tex);
        List<String> csv = Files.readAllLines(fig.resolve("accuracy-table.csv"));
        assertEquals("eps,samples,clean,pgd (lower),crown (upper),mip (exact),best attack,best certificate", csv.get(0));
        assertEquals(3, csv.size());
        assertTrue(csv.get(1).startsWith("0.1,25,95.0,"), csv.get(1));
        assertTrue(Files.readString(fig.resolve("accuracy-table.md")).startsWith("| eps | samples | clean |"));
        try (var files = Files.list(fig)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
    }

    @Test
    void aFigureWithoutDataSaysSoInOneLineAndWritesNothing() throws Exception {
        Path run = synthetic(6, false);
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            assertEquals(0, Main.run("report", run.toString()));
        } finally {
            System.setOut(old);
        }
        Path fig = run.resolve("figures");
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("bound-scatter: no data to plot, no figure written"), out.toString());
        for (String ext : List.of(".svg", ".pdf", ".png", ".csv", ".tex")) assertFalse(Files.exists(fig.resolve("bound-scatter" + ext)), ext);
        // Attacks alone still give accuracy against eps, the whole range undecided down to 0 (nothing certified).
        List<String[]> acc = FigureChecks.check(fig, "accuracy-eps");
        for (String[] r : acc) if (r[0].startsWith("undecided")) assertEquals(0.0, Double.parseDouble(r[2]));
    }

    /** Runs report and returns stderr, asserting exit code 2, one line, and no figures folder. */
    private String fails(Path run) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.run("report", run.toString());
        } finally {
            System.setErr(old);
        }
        String text = err.toString(StandardCharsets.UTF_8).trim();
        assertEquals(2, code, text);
        assertEquals(1, text.lines().count(), text);
        assertFalse(Files.exists(run.resolve("figures")), "no partial figure");
        return text;
    }

    @Test
    void badInputIsOneLineNamingFileAndLine() throws Exception {
        Path empty = tmp.resolve("empty");
        Files.createDirectories(empty);
        assertTrue(fails(empty).contains("no results.jsonl"));
        assertTrue(fails(tmp.resolve("missing")).contains("no such folder"));

        Path run = synthetic(4, true);
        List<String> lines = Files.readAllLines(run.resolve("results.jsonl"));
        lines.set(4, lines.get(4).substring(0, 40));
        Files.write(run.resolve("results.jsonl"), lines);
        String err = fails(run);
        assertTrue(err.contains(run.resolve("results.jsonl") + ":5:"), err);
        assertTrue(err.contains("malformed"), err);

        lines.set(4, lines.get(1).replace("\"upper\"", "\"middle\""));
        Files.write(run.resolve("results.jsonl"), lines);
        assertTrue(fails(run).contains(":5: kind: expected lower, exact or upper"));

        Files.writeString(run.resolve("results.jsonl"), "\n");
        assertTrue(fails(run).contains("no result lines"));
    }
}
