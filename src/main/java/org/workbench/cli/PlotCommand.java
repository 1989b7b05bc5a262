package org.workbench.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.workbench.config.InputError;
import org.workbench.report.CactusPlot;
import org.workbench.report.XyFigure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "plot", mixinStandardHelpOptions = true,
        description = "Cactus plot of verification result rows (SVG, PDF, PNG preview, CSV of the plotted points, PGFPlots .tex): "
                + "one curve per CSV, solved (sat or unsat) instances by time.")
public final class PlotCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", description = "result CSVs of `workbench verify --instances` (onnx,vnnlib,timeout,result,time_s,method), "
            + "each optionally as LABEL=FILE")
    List<String> results;

    @Option(names = "--out", required = true, description = "the figure to write, e.g. results/verify/cactus.svg: "
            + "cactus.svg, .pdf, .png, .csv and .tex are written side by side")
    Path out;

    @Override
    public Integer call() throws IOException {
        List<CactusPlot.Series> series = new ArrayList<>();
        for (String r : results) {
            int eq = r.indexOf('=');
            Path csv = Path.of(eq > 0 ? r.substring(eq + 1) : r);
            String label = eq > 0 ? r.substring(0, eq) : csv.getFileName().toString().replaceFirst("\\.csv$", "");
            series.add(new CactusPlot.Series(label, solvedTimes(csv)));
        }
        Path dir = out.toAbsolutePath().getParent();
        String stem = out.getFileName().toString().replaceFirst("\\.(svg|pdf|png)$", "");
        List<Path> files = XyFigure.write(dir, CactusPlot.plot(stem, series), System.out);
        if (!files.isEmpty()) System.out.println("wrote " + dir.resolve(stem) + ".{svg,pdf,png,csv,tex}");
        return 0;
    }

    private static List<Double> solvedTimes(Path csv) throws IOException {
        if (!Files.isRegularFile(csv)) throw InputError.at(csv, 0, null, "no such file");
        List<String> lines = Files.readAllLines(csv);
        if (lines.isEmpty() || !lines.get(0).startsWith("onnx,vnnlib,timeout,result,time_s"))
            throw InputError.at(csv, 1, null, "expected the header onnx,vnnlib,timeout,result,time_s,method");
        List<Double> times = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",", -1);
            if (f.length < 5) throw InputError.at(csv, i + 1, null, "expected 6 fields, got '" + lines.get(i) + "'");
            if (!f[3].equals("sat") && !f[3].equals("unsat")) continue;
            try {
                times.add(Double.parseDouble(f[4]));
            } catch (NumberFormatException e) {
                throw InputError.at(csv, i + 1, "time_s", "expected a number of seconds, got '" + f[4] + "'");
            }
        }
        return times;
    }
}
