package org.workbench.solve;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.workbench.problem.Problem;
import org.workbench.report.ResultLine;
import org.workbench.report.ResultsStore;
import org.workbench.report.Summary;

/**
 * Runs every solver of a problem on every sample and eps, appending to the results store and skipping
 * what a previous run already finished; then writes the summary and checks lower <= upper everywhere.
 */
public final class SolveRunner {
    private final Problem problem;
    private final PrintStream log;

    public SolveRunner(Problem problem, PrintStream log) {
        this.problem = problem;
        this.log = log;
    }

    /** Everything is loaded and every solver built before the results folder is created. */
    public Summary run() throws IOException {
        try (Workload work = Workload.open(problem)) {
            int clean = work.cleanCorrect();
            try (ResultsStore store = ResultsStore.open(problem.output())) {
                for (double eps : problem.threat().eps())
                    for (int s = 0; s < work.solvers().size(); s++) runOne(work, s, eps, store);
                Summary summary = Summary.of(store.lines(), work.setups(), work.samples(), clean);
                summary.write(problem.output(), "Problem " + problem.name());
                return summary;
            }
        }
    }

    private void runOne(Workload work, int s, double eps, ResultsStore store) {
        String name = work.solvers().get(s).name();
        int[] todo = work.todo(store, s, eps);
        if (todo.length == 0) {
            log.printf("eps %s %s: all %d samples already in %s%n", eps, name, work.samples(), store.file());
            return;
        }
        long start = System.nanoTime(), lastPrint = 0;
        int done = 0;
        for (int from = 0; from < todo.length; from += problem.batch()) {
            int[] part = Arrays.copyOfRange(todo, from, Math.min(todo.length, from + problem.batch()));
            List<String> notes = new ArrayList<>();
            List<ResultLine> lines = work.solve(s, eps, part, notes);
            notes.forEach(log::println);
            lines.forEach(store::append);
            done += part.length;
            long now = System.nanoTime();
            if (now - lastPrint > 2e9 || done == todo.length) {
                double el = (now - start) / 1e9;
                log.printf("eps %s %s: %d/%d samples, %.1f s, about %.0f s left%n", eps, name, done, todo.length,
                        el, el / done * (todo.length - done));
                lastPrint = now;
            }
        }
    }
}
