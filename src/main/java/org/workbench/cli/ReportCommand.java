package org.workbench.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.workbench.problem.Problem;
import org.workbench.problem.ProblemFile;
import org.workbench.report.LossSurface;
import org.workbench.report.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Figures (SVG, PDF, PNG preview, CSV of the plotted points, PGFPlots .tex) and tables (LaTeX, Markdown, CSV) "
                + "of a solve run, written into RUN/figures/.")
public final class ReportCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "a run's results folder, e.g. results/linf")
    Path run;

    @Option(names = "--eps-label", description = "the eps axis's label, e.g. \"ε (ℓ∞ radius, pixels in [0, 1])\"")
    String epsLabel = Report.EPS_AXIS;

    @Option(names = "--problem", description = "the run's problem file: adds the image grids (they need its data and model, "
            + "and witnesses stored with witnesses: true) and its loss_surface, and labels the eps axis with its threat")
    Path problemFile;

    @Option(names = "--set", description = "override a key of the problem file, as for solve (repeatable)")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() {
        Problem problem = problemFile == null ? null : ProblemFile.load(problemFile, overrides);
        String label = problem != null && epsLabel.equals(Report.EPS_AXIS) ? Report.epsAxis(problem.threat()) : epsLabel;
        List<Path> files = new ArrayList<>(Report.write(run, label, System.out));
        if (problem != null) {
            files.addAll(Report.imageGrids(problem, run, System.out));
            files.addAll(LossSurface.write(problem, run, System.out));
        }
        System.out.println("written: " + files.size() + " files in " + run.resolve("figures"));
        return 0;
    }
}
