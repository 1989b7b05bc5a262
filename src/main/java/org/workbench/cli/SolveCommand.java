package org.workbench.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.workbench.config.InputError;
import org.workbench.problem.Problem;
import org.workbench.problem.ProblemFile;
import org.workbench.report.LossSurface;
import org.workbench.report.Report;
import org.workbench.report.Summary;
import org.workbench.solve.RadiusSearch;
import org.workbench.solve.SolveRunner;
import org.workbench.spark.Masters;
import org.workbench.spark.SparkSolve;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "solve", mixinStandardHelpOptions = true,
        description = "Run every solver of a problem file on its samples and eps values; resumes a previous run.")
public final class SolveCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "problem file (YAML), e.g. problems/linf.yaml")
    Path problemFile;

    @Option(names = "--set", description = "override a key of the problem file, e.g. --set threat.eps=[0.1] (repeatable)")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--spark", paramLabel = "MASTER",
            description = "run the units (solver, eps, batch) as Apache Spark tasks: local[N], spark://HOST:PORT, yarn, k8s://URL")
    String spark;

    @Override
    public Integer call() throws Exception {
        Problem p = ProblemFile.load(problemFile, overrides);
        if (p.lossSurface() != null) LossSurface.check(p, p.data().load());
        int failedUnits = 0;
        Summary s;
        List<RadiusSearch.Radius> radii = null;
        if (spark != null) {
            if (p.threat().search() != null)
                throw new InputError(problemFile + ": threat.eps: a radius search runs in one process; --spark takes lists of eps");
            if (!Masters.sparkPresent())
                throw new InputError("--spark " + spark + ": Spark is not on the classpath: run through spark-submit, or set SPARK_HOME for ./workbench (README, Spark)");
            SparkSolve.Outcome o = new SparkSolve(p, problemFile, overrides, spark, System.err).run();
            s = o.summary();
            failedUnits = o.failedUnits();
        } else {
            SolveRunner runner = new SolveRunner(p, System.err);
            s = runner.run();
            radii = runner.radii();
        }
        if (radii != null) {
            System.out.print(RadiusSearch.markdown("Problem " + p.name(), p.threat().search(), radii));
            System.out.println("\nwritten: " + p.output().resolve("results.jsonl") + ", radii.csv, radii.md");
        } else {
            System.out.print(s.markdown("Problem " + p.name()));
            System.out.println("\nwritten: " + p.output().resolve("results.jsonl") + ", summary.md, summary.csv");
        }
        List<Path> figures = new ArrayList<>(Report.write(p.output(), Report.epsAxis(p.threat()), System.out));
        figures.addAll(Report.imageGrids(p, p.output(), System.out));
        figures.addAll(LossSurface.write(p, p.output(), System.out));
        System.out.println("figures: " + figures.size() + " files in " + p.output().resolve("figures"));
        List<String> radiusBugs = radii == null ? List.of() : RadiusSearch.violations(radii);
        if (!radiusBugs.isEmpty()) {
            System.err.println("workbench: BUG: " + radiusBugs.size() + " certified radii exceed attack radii; first: " + radiusBugs.get(0));
            return 3;
        }
        if (!s.violations().isEmpty()) {
            System.err.println("workbench: BUG: " + s.violations().size() + " lower bounds exceed upper bounds; first: " + s.violations().get(0));
            return 3;
        }
        if (failedUnits > 0) {
            System.err.println("workbench: " + failedUnits + " units failed on Spark (see above); the same command computes only them again");
            return 4;
        }
        return 0;
    }
}
