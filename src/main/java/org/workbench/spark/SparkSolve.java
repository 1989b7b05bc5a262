package org.workbench.spark;

import com.google.gson.Gson;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.workbench.problem.Problem;
import org.workbench.report.ResultLine;
import org.workbench.report.ResultsStore;
import org.workbench.report.Summary;
import org.workbench.solve.Workload;
import org.workbench.solve.Workloads;

/**
 * {@code workbench solve PROBLEM --spark MASTER}: the units a local run would compute (each solver at each eps on one
 * batch of the samples that results.jsonl does not hold yet, for each model) run as Spark tasks, one job per unit,
 * while the driver appends each finished unit's lines to the same results.jsonl. So a killed driver loses only units
 * in flight, a rerun skips what was written, and a unit Spark retried after a lost executor arrives once (lines already
 * held are not written again). The lines equal the local run's: same batches, same solvers, same seeds.
 */
public final class SparkSolve {
    /** The summary over everything the store now holds, and how many units failed (their lines are missing). */
    public record Outcome(Summary summary, int failedUnits, int units) {}

    private final Problem problem;
    private final Path file;
    private final List<String> overrides;
    private final String master;
    private final PrintStream log;

    /** The problem as loaded from {@code file} with {@code overrides}. */
    public SparkSolve(Problem problem, Path file, List<String> overrides, String master, PrintStream log) {
        this.problem = problem;
        this.file = file;
        this.overrides = overrides;
        this.master = master;
        this.log = log;
    }

    /** The master is checked, and models and data loaded, before Spark starts or anything is written. */
    public Outcome run() throws IOException {
        Masters.check(master);
        UnitWork.Job job = job();
        try (Workloads works = Workloads.open(problem)) {
            SparkConf conf = new SparkConf().setAppName("workbench solve " + problem.name()).setMaster(master)
                    .set("spark.ui.showConsoleProgress", "false");
            if (master.startsWith("local")) conf.set("spark.ui.enabled", "false");
            try (JavaSparkContext sc = new JavaSparkContext(conf); ResultsStore store = ResultsStore.open(problem.output())) {
                List<UnitWork.Unit> units = units(problem, works, store);
                int failed = 0;
                if (units.isEmpty()) log.println("spark: every unit is already in " + store.file());
                else failed = distribute(sc, job, units, works, store);
                Summary summary = works.summary(store.lines());
                summary.write(problem.output(), "Problem " + problem.name());
                return new Outcome(summary, failed, units.size());
            }
        }
    }

    /** The driver's problem as executors rebuild it: its text, the overrides, and the paths made absolute. */
    private UnitWork.Job job() throws IOException {
        Gson gson = new Gson();
        List<String> exec = new ArrayList<>(overrides);
        List<String> models = problem.models().stream().map(m -> m.file().toAbsolutePath().normalize().toString()).toList();
        // The key the problem used: naming the other one too would be refused as both given.
        exec.add(problem.models().get(0).name() == null ? "model=" + gson.toJson(models.get(0)) : "models=" + gson.toJson(models));
        exec.add("data.dir=" + gson.toJson(problem.data().dir().toAbsolutePath().normalize().toString()));
        String home = System.getProperty("workbench.home", Path.of("").toAbsolutePath().toString());
        return new UnitWork.Job(UUID.randomUUID().toString(), file.toString(), Files.readString(file, StandardCharsets.UTF_8), exec, home);
    }

    /** What a local run would still compute, in its order and batches. */
    private static List<UnitWork.Unit> units(Problem problem, Workloads works, ResultsStore store) {
        List<UnitWork.Unit> units = new ArrayList<>();
        for (int m = 0; m < works.each().size(); m++) {
            Workload work = works.each().get(m);
            for (double eps : problem.threat().eps())
                for (int s = 0; s < work.solvers().size(); s++) {
                    int[] todo = work.todo(store, s, eps);
                    for (int from = 0; from < todo.length; from += problem.batch())
                        units.add(new UnitWork.Unit(units.size(), m, s, eps, Arrays.copyOfRange(todo, from, Math.min(todo.length, from + problem.batch()))));
                }
        }
        return units;
    }

    /** A unit's end: its result, or why it failed after Spark's retries. */
    private record Done(UnitWork.Unit unit, UnitWork.Result result, Throwable error) {}

    private int distribute(JavaSparkContext sc, UnitWork.Job job, List<UnitWork.Unit> units, Workloads works, ResultsStore store) {
        // One partition per unit (parallelize slices a list of n into n one-element partitions), one job per partition:
        // the driver gets each unit as it finishes, not all at the end.
        JavaRDD<UnitWork.Result> results = sc.parallelize(units, units.size()).map(u -> UnitWork.run(job, u));
        SparkProgress progress = new SparkProgress(units.size(), log);
        sc.sc().addSparkListener(progress);
        int threads = Math.max(2, 2 * sc.defaultParallelism());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CompletionService<Done> cs = new ExecutorCompletionService<>(pool);
            for (UnitWork.Unit u : units)
                cs.submit(() -> {
                    try {
                        return new Done(u, results.collectPartitions(new int[] {u.index()})[0].get(0), null);
                    } catch (RuntimeException e) {
                        return new Done(u, null, e);
                    }
                });
            int failed = 0;
            for (int i = 0; i < units.size(); i++) {
                Done d = cs.take().get();
                Workload work = works.each().get(d.unit().model());
                String what = "unit " + d.unit().index() + " (" + work.prefix() + work.solvers().get(d.unit().solver()).name() + ", eps " + d.unit().eps()
                        + ", " + d.unit().positions().length + " samples)";
                String error = d.error() != null ? rootMessage(d.error()) : merge(d.result(), d.unit(), work, store);
                if (error != null) {
                    failed++;
                    log.println("spark: " + what + " failed: " + error);
                }
                progress.unitEnded(error == null);
            }
            progress.print(true);
            return failed;
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Spark", e);
        } finally {
            // The listener stays until the context stops: removing it stops its event queue, and stopping the context
            // then waits on that queue forever (Spark 4.0.1).
            pool.shutdownNow();
        }
    }

    /** Appends a unit's lines that the store does not hold; null, or why the unit cannot be used. */
    private String merge(UnitWork.Result r, UnitWork.Unit unit, Workload work, ResultsStore store) {
        String expected = work.setups().get(work.solvers().get(unit.solver()).name());
        if (!expected.equals(r.setup()))
            return "the executor built the solver with setup " + r.setup() + ", the driver with " + expected
                    + ": the executors read other model, data or preset files (see README, Spark)";
        r.notes().forEach(log::println);
        for (String text : r.lines()) {
            ResultLine l = ResultsStore.parse(text);
            if (!store.has(l.model(), l.sample(), l.eps(), l.solver(), l.setup())) store.append(l);
        }
        return null;
    }

    private static String rootMessage(Throwable e) {
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        return msg.lines().findFirst().orElse(msg);
    }
}
