package org.workbench.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.workbench.cli.Main;

/**
 * {@code solve --spark local[2]} writes the lines plain {@code solve} writes (all fields but time_s), each once, and
 * resumes like it: a rerun after a partial run computes only the missing lines and leaves the others as they were.
 * Bad masters stop with one line and exit 2 before anything is written.
 */
class SparkSolveTest {
    @TempDir
    Path tmp;

    record Run(int code, String err) {}

    private static Run run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.run(args);
        } finally {
            System.setErr(old);
        }
        return new Run(code, err.toString(StandardCharsets.UTF_8).strip());
    }

    /** problems/linf.yaml on 20 samples, one eps, FGSM and 5-step PGD with random starts, batches of 6 (4 per solver). */
    private static String[] solve(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("solve", "problems/linf.yaml", "--set", "data.samples=20", "--set", "threat.eps=[0.1]",
                "--set", "solvers=[fgsm, {preset: pgd-linf, steps: 5, random_start: true}]", "--set", "batch=6", "--set", "output=" + out));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    /** The lines without their time, sorted: what must not depend on where they were computed. */
    static List<String> withoutTime(Path jsonl) throws Exception {
        List<String> out = new ArrayList<>();
        for (String s : Files.readAllLines(jsonl)) {
            JsonObject o = JsonParser.parseString(s).getAsJsonObject();
            o.remove("time_s");
            out.add(o.toString());
        }
        out.sort(null);
        return out;
    }

    /** Sample, eps and solver of each line, in order (duplicates kept). */
    private static List<String> keys(List<String> lines) {
        return lines.stream().map(l -> JsonParser.parseString(l).getAsJsonObject())
                .map(o -> o.get("sample") + "|" + o.get("eps") + "|" + o.get("solver")).sorted().toList();
    }

    private static List<String> only(List<String> lines, String solver) {
        return lines.stream().filter(l -> l.contains("\"solver\":\"" + solver + "\"")).toList();
    }

    /**
     * The same lines, each once: every field equal but time_s, margins equal up to 1e-12 relative (libtorch's float64
     * forward of a witness may differ in the last bits from one calling thread to another).
     */
    static void sameLines(List<String> expected, List<String> actual) {
        assertEquals(expected.size(), actual.size(), "line count");
        for (int i = 0; i < expected.size(); i++) {
            JsonObject e = JsonParser.parseString(expected.get(i)).getAsJsonObject(), a = JsonParser.parseString(actual.get(i)).getAsJsonObject();
            JsonArray me = e.remove("margins").getAsJsonArray(), ma = a.remove("margins").getAsJsonArray();
            assertEquals(e, a, "line " + i);
            assertEquals(me.size(), ma.size());
            for (int j = 0; j < me.size(); j++) {
                if (me.get(j).isJsonNull()) {
                    assertTrue(ma.get(j).isJsonNull());
                    continue;
                }
                double x = me.get(j).getAsDouble(), y = ma.get(j).getAsDouble();
                assertEquals(x, y, 1e-12 * (1 + Math.abs(x)), "line " + i + " margin " + j);
            }
        }
    }

    @Test
    void localTwoWritesThePlainRunsLinesOnceAndResumes() throws Exception {
        Path plain = tmp.resolve("plain"), spark = tmp.resolve("spark");
        Run p = run(solve(plain));
        assertEquals(0, p.code(), p.err());
        Run s = run(solve(spark, "--spark", "local[2]"));
        assertEquals(0, s.code(), s.err());
        assertTrue(s.err().contains("spark: 8/8 units done, 0 failed"), s.err());
        List<String> expected = withoutTime(plain.resolve("results.jsonl"));
        assertEquals(40, expected.size());
        sameLines(expected, withoutTime(spark.resolve("results.jsonl")));

        // A driver killed after 15 lines: the rerun computes the 25 missing ones and keeps the 15 as written.
        Path jsonl = spark.resolve("results.jsonl");
        List<String> kept = Files.readAllLines(jsonl).subList(0, 15);
        Files.write(jsonl, kept);
        Run again = run(solve(spark, "--spark", "local[2]"));
        assertEquals(0, again.code(), again.err());
        List<String> after = Files.readAllLines(jsonl);
        assertEquals(kept, after.subList(0, 15), "finished lines are not recomputed");
        // Every line once again. The missing samples are batched anew, as a plain solve resumes them, so PGD's random
        // starts (drawn along the batch) may differ from the uninterrupted run's: only FGSM's lines must be equal.
        List<String> resumed = withoutTime(jsonl);
        assertEquals(keys(expected), keys(resumed));
        sameLines(only(expected, "fgsm"), only(resumed, "fgsm"));

        // Nothing left: no unit runs, nothing is appended.
        Run done = run(solve(spark, "--spark", "local[2]"));
        assertEquals(0, done.code(), done.err());
        assertTrue(done.err().contains("every unit is already in"), done.err());
        assertEquals(after, Files.readAllLines(jsonl));
    }

    /** With {@code models:} a unit names its model; the lines are the plain run's, each model's own. */
    @Test
    void twoModelsRunAsTheirOwnUnits() throws Exception {
        String[] models = {"--set", "model=null", "--set", "models=[models/cnn.yaml, models/mlp.yaml]", "--set", "solvers=[fgsm]"};
        Path plain = tmp.resolve("plain"), spark = tmp.resolve("spark");
        Run p = run(solve(plain, models));
        assertEquals(0, p.code(), p.err());
        List<String> sparkArgs = new ArrayList<>(List.of(models));
        sparkArgs.addAll(List.of("--spark", "local[2]"));
        Run s = run(solve(spark, sparkArgs.toArray(String[]::new)));
        assertEquals(0, s.code(), s.err());
        assertTrue(s.err().contains("spark: 8/8 units done, 0 failed"), s.err());
        List<String> expected = withoutTime(plain.resolve("results.jsonl"));
        assertEquals(2 * 20, expected.size());
        assertEquals(20, expected.stream().filter(l -> l.startsWith("{\"model\":\"mlp\"")).count());
        sameLines(expected, withoutTime(spark.resolve("results.jsonl")));
        assertTrue(Files.readString(spark.resolve("summary.csv")).startsWith("eps,model,solver,"));
    }

    private void failsOneLine(Run r, Path out, String expected) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), "one line expected, got:\n" + r.err());
        assertTrue(r.err().startsWith("workbench: " + expected), r.err());
        assertFalse(Files.exists(out), "a results folder was left behind");
    }

    @Test
    void anUnreachableMaster() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free now, and nobody listens once closed
        }
        Path out = tmp.resolve("out");
        failsOneLine(run(solve(out, "--spark", "spark://127.0.0.1:" + port)), out,
                "--spark spark://127.0.0.1:" + port + ": cannot reach the Spark master at 127.0.0.1:" + port);
    }

    @Test
    void aMalformedMaster() {
        Path out = tmp.resolve("out");
        for (String bad : new String[] {"local[0]", "spark://host", "mesos://x:5050", "cluster"})
            failsOneLine(run(solve(out, "--spark", bad)), out, "--spark " + bad + ": expected local, local[N]");
    }
}
