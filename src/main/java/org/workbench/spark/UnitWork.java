package org.workbench.spark;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.workbench.problem.Problem;
import org.workbench.problem.ProblemFile;
import org.workbench.report.ResultLine;
import org.workbench.report.ResultsStore;
import org.workbench.solve.Workload;

/**
 * What an executor does with a unit: rebuild the driver's problem from its text and overrides (once per task thread,
 * kept while the same job's units arrive), run the unit's solver on its samples and send the lines back as text.
 */
final class UnitWork {
    private UnitWork() {}

    /**
     * The problem as the driver read it. {@code overrides} make the model and data paths absolute, so executors on
     * other machines find them on a shared file system; {@code home} is the driver's workbench home, where executors
     * look up solver presets when they were given no home of their own; {@code run} is new for each driver run, so an
     * executor that outlives a run never answers the next one from a problem it loaded before.
     */
    record Job(String run, String file, String text, List<String> overrides, String home) implements Serializable {}

    /**
     * One solver at one eps on some samples (positions into the problem's sample list), in the local run's batches, on
     * the problem's model at index {@code model}.
     */
    record Unit(int index, int model, int solver, double eps, int[] positions) implements Serializable {}

    /** The lines of a unit as results.jsonl text, the setup its solver was built with, and any non-finite notes. */
    record Result(int index, String setup, List<String> lines, List<String> notes) implements Serializable {}

    private record Cached(Job job, int model, Workload work) {}

    private static final ThreadLocal<Cached> CACHE = new ThreadLocal<>();

    /**
     * Solvers that record gradients with DJL's collector, of which a process may hold one at a time: their units take
     * turns within an executor (attacks record per thread and run side by side).
     */
    private static final Set<String> ONE_AT_A_TIME = Set.of("alpha-crown", "bab");
    private static final ReentrantLock GRADIENTS = new ReentrantLock();

    static Result run(Job job, Unit unit) {
        Workload work = workload(job, unit.model());
        List<String> notes = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        boolean turns = ONE_AT_A_TIME.contains(work.problem().solvers().get(unit.solver()).type());
        if (turns) GRADIENTS.lock();
        try {
            for (ResultLine l : work.solve(unit.solver(), unit.eps(), unit.positions(), notes)) lines.add(ResultsStore.format(l));
        } finally {
            if (turns) GRADIENTS.unlock();
        }
        String setup = work.setups().get(work.solvers().get(unit.solver()).name());
        return new Result(unit.index(), setup, lines, notes);
    }

    /** Units come model by model, so one cached workload per thread rarely changes within a run. */
    private static Workload workload(Job job, int model) {
        Cached c = CACHE.get();
        if (c != null && c.job().equals(job) && c.model() == model) return c.work();
        if (c != null) c.work().close();
        CACHE.remove();
        if (System.getProperty("workbench.home") == null && job.home() != null) System.setProperty("workbench.home", job.home());
        Problem p = ProblemFile.parse(Path.of(job.file()), job.text(), job.overrides());
        Workload w = Workload.open(p, p.models().get(model));
        CACHE.set(new Cached(job, model, w));
        return w;
    }
}
