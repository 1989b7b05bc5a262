package org.workbench.solve;

import java.util.ArrayList;
import java.util.List;
import org.workbench.problem.ModelSpec;
import org.workbench.problem.Problem;
import org.workbench.report.ResultLine;
import org.workbench.report.Summary;

/**
 * One {@link Workload} per model of a problem, all opened (every model loaded and checked, every solver built) before
 * a run writes anything, so a bad third model stops the run before the first is solved.
 */
public record Workloads(List<Workload> each) implements AutoCloseable {

    public static Workloads open(Problem problem) {
        List<Workload> out = new ArrayList<>();
        try {
            for (ModelSpec m : problem.models()) out.add(Workload.open(problem, m));
        } catch (RuntimeException e) {
            out.forEach(Workload::close);
            throw e;
        }
        return new Workloads(List.copyOf(out));
    }

    /** The summary of everything the lines hold for these models' current setups. */
    public Summary summary(List<ResultLine> lines) {
        return Summary.of(lines, each.stream().map(Workload::summaryModel).toList(), each.get(0).samples());
    }

    @Override
    public void close() {
        each.forEach(Workload::close);
    }
}
