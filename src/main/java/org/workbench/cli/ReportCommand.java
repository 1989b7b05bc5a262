package org.workbench.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
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

    @Override
    public Integer call() {
        List<Path> files = Report.write(run, epsLabel, System.out);
        System.out.println("written: " + files.size() + " files in " + run.resolve("figures"));
        return 0;
    }
}
