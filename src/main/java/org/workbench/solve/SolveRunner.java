package org.workbench.solve;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.workbench.problem.Problem;
import org.workbench.report.ResultLine;
import org.workbench.report.ResultsStore;
import org.workbench.report.Summary;

/**
 * Runs every solver of a problem on every model, sample and eps, appending to the results store and skipping
 * what a previous run already finished; then writes the summary and checks lower <= upper everywhere (per model). With
 * {@code eps: {search: ...}} the radii are bisected per sample instead ({@link RadiusSearch}; one model).
 */
public final class SolveRunner {
    private final Problem problem;
    private final PrintStream log;
    private List<RadiusSearch.Radius> radii;

    public SolveRunner(Problem problem, PrintStream log) {
        this.problem = problem;
        this.log = log;
    }

    /** Every model is loaded and every solver built before the results folder is created. */
    public Summary run() throws IOException {
        try (Workloads works = Workloads.open(problem)) {
            try (ResultsStore store = ResultsStore.open(problem.output())) {
                if (problem.threat().search() != null) {
                    Workload work = works.each().get(0); // the problem file allows a search on one model only
                    Map<String, ResultLine> known = new HashMap<>();
                    for (ResultLine r : store.lines()) known.put(r.key(), r);
                    radii = RadiusSearch.run(work.solvers(), problem.threat().search(), work.ids(), work.labels(), work.cleanCorrect(),
                            (solver, eps, positions) -> probe(work, work.solvers().indexOf(solver), eps, positions, store, known));
                    RadiusSearch.write(problem.output(), "Problem " + problem.name(), problem.threat().search(), radii);
                    // Every probe is a result line, and where two solvers probed the same eps their bounds are checked too.
                    return works.summary(store.lines());
                }
                // Model by model, each as a single-model problem would run; the summary then puts them side by side.
                for (Workload work : works.each())
                    for (double eps : problem.threat().eps())
                        for (int s = 0; s < work.solvers().size(); s++) runOne(work, s, eps, store);
                Summary summary = works.summary(store.lines());
                summary.write(problem.output(), "Problem " + problem.name());
                return summary;
            }
        }
    }

    /** The radius search's per-sample radii, after a run with {@code eps: {search: ...}}; else null. */
    public List<RadiusSearch.Radius> radii() {
        return radii;
    }

    /** One solver at one eps on the given sample positions: lines already stored are read back, the rest solved. */
    private Map<Integer, ResultLine> probe(Workload work, int s, double eps, List<Integer> positions, ResultsStore store,
                                           Map<String, ResultLine> known) {
        String name = work.solvers().get(s).name(), setup = work.setups().get(name);
        int[] ids = work.ids();
        Map<Integer, ResultLine> out = new HashMap<>();
        List<Integer> todo = new ArrayList<>();
        for (int i : positions) {
            ResultLine r = known.get(ResultLine.key(work.model(), ids[i], eps, name, setup));
            if (r != null) out.put(i, r);
            else todo.add(i);
        }
        for (int from = 0; from < todo.size(); from += problem.batch()) {
            int[] part = todo.subList(from, Math.min(todo.size(), from + problem.batch())).stream().mapToInt(Integer::intValue).toArray();
            List<ResultLine> lines = solveAndStore(work, s, eps, part, store);
            for (int k = 0; k < part.length; k++) {
                out.put(part[k], lines.get(k));
                known.put(lines.get(k).key(), lines.get(k));
            }
        }
        return out;
    }

    private List<ResultLine> solveAndStore(Workload work, int s, double eps, int[] part, ResultsStore store) {
        List<String> notes = new ArrayList<>();
        List<ResultLine> lines = work.solve(s, eps, part, notes);
        notes.forEach(log::println);
        lines.forEach(store::append);
        return lines;
    }

    private void runOne(Workload work, int s, double eps, ResultsStore store) {
        InnerSolver solver = work.solvers().get(s);
        int[] todo = work.todo(store, s, eps);
        if (todo.length == 0) {
            log.printf("%seps %s %s: all %d samples already in %s%n", work.prefix(), eps, solver.name(), work.samples(), store.file());
            return;
        }
        long start = System.nanoTime(), lastPrint = 0;
        int done = 0;
        // Exact solvers take seconds to minutes per sample, one sample at a time anyway: each line is stored (and a
        // killed run resumes) as soon as its sample is done.
        int step = solver.kind() == InnerSolver.Kind.EXACT ? 1 : problem.batch();
        for (int from = 0; from < todo.length; from += step) {
            int[] part = Arrays.copyOfRange(todo, from, Math.min(todo.length, from + step));
            solveAndStore(work, s, eps, part, store);
            done += part.length;
            long now = System.nanoTime();
            if (now - lastPrint > 2e9 || done == todo.length) {
                double el = (now - start) / 1e9;
                log.printf("%seps %s %s: %d/%d samples, %.1f s, about %.0f s left%n", work.prefix(), eps, solver.name(), done, todo.length,
                        el, el / done * (todo.length - done));
                lastPrint = now;
            }
        }
    }
}
