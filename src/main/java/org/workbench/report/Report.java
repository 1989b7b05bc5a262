package org.workbench.report;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A solve run's figures and tables, written into {@code <run>/figures/}: the bound scatter, accuracy against
 * eps, and the accuracy table; for a run of several models, the same per model in {@code <run>/figures/<model>/}.
 * The results are read and checked in full before anything is written.
 */
public final class Report {
    /** The eps axis when the threat is not known (a results folder alone does not record it). */
    public static final String EPS_AXIS = "ε (radius, input units)";

    private Report() {}

    /** The eps axis's label for a threat, with its norm and the input box as the unit. */
    public static String epsAxis(org.workbench.problem.Threat t) {
        String norm = t.norm() == org.workbench.problem.Norm.LINF ? "ℓ∞" : "ℓ2";
        return String.format(java.util.Locale.ROOT, "ε (%s radius, inputs in [%s, %s])", norm, Summary.fmt(t.lo()), Summary.fmt(t.hi()));
    }

    /** Where a model's figures go: {@code figures/} for a single-model run (model null), else {@code figures/<model>/}. */
    public static Path figuresDir(Path runDir, String model) {
        Path figures = runDir.resolve("figures");
        return model == null ? figures : figures.resolve(model);
    }

    /**
     * The image grids of a solve run: they need the inputs and the network's clean predictions, which a results
     * folder does not hold, so the problem names the data and the models.
     */
    public static List<Path> imageGrids(org.workbench.problem.Problem problem, Path runDir, PrintStream log) {
        ResultsFile.Run run = ResultsFile.read(runDir);
        if (Files.isRegularFile(runDir.resolve("radii.csv"))) {
            log.println("images: a radius search probes each sample at its own eps; no image grid drawn");
            return List.of();
        }
        if (run.lines().stream().noneMatch(r -> r.witness() != null)) {
            log.println(ImageGrid.NO_WITNESSES); // once, not once per model
            return List.of();
        }
        org.workbench.data.Dataset data = problem.data().load();
        List<Path> written = new ArrayList<>();
        for (org.workbench.problem.ModelSpec model : problem.models()) {
            List<ResultLine> lines = run.lines().stream().filter(r -> java.util.Objects.equals(r.model(), model.name())).toList();
            org.workbench.net.Network net = org.workbench.net.ModelFiles.load(model.file());
            try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager();
                 org.workbench.net.TorchNet net64 = new org.workbench.net.TorchNet(net, m, ai.djl.ndarray.types.DataType.FLOAT64)) {
                written.addAll(ImageGrid.write(figuresDir(runDir, model.name()), lines, data, x -> {
                    double[][] z = net64.logits(x);
                    int[] out = new int[z.length];
                    for (int i = 0; i < z.length; i++)
                        for (int j = 1; j < z[i].length; j++) if (z[i][j] > z[i][out[i]]) out[i] = j;
                    return out;
                }, log));
            }
        }
        return written;
    }

    /**
     * Writes the figures of a run folder: of its results.jsonl (a solve run) and of its train.csv (a training run),
     * whichever it has, both read and checked before anything is written. Returns the files written.
     */
    public static List<Path> write(Path runDir, String epsLabel, PrintStream log) {
        Path train = runDir.resolve("train.csv");
        if (Files.isDirectory(runDir) && !Files.exists(runDir.resolve("results.jsonl")) && Files.isRegularFile(train))
            return TrainingCurves.write(train, log);
        ResultsFile.Run run = ResultsFile.read(runDir);
        if (Files.isRegularFile(train)) TrainingCurves.read(train);
        Path radii = runDir.resolve("radii.csv");
        if (Files.isRegularFile(radii)) {
            // A radius search probes each sample at its own eps values: the fixed-eps figures would not mean anything.
            Plot p = Robustness.plot(Robustness.read(radii), epsLabel);
            return XyFigure.write(runDir.resolve("figures"), p, log);
        }
        List<Path> written = new ArrayList<>();
        for (Map.Entry<String, ResultsFile.Run> model : ResultsFile.byModel(run).entrySet()) {
            ResultsFile.Run part = model.getValue();
            List<Bounds> bounds = Bounds.of(part.lines());
            Path out = figuresDir(runDir, model.getKey());
            List<Plot> plots = List.of(Figures.boundScatter(bounds), Figures.accuracy(part.lines(), bounds, part.cleanAccuracy(), epsLabel));
            Tables.Table table = Tables.accuracy(part.lines(), bounds, part.cleanAccuracy());
            for (Plot p : plots) written.addAll(XyFigure.write(out, p, log));
            written.addAll(FigureFiles.writeAll(Tables.files(out, "accuracy-table", table)));
        }
        if (Files.isRegularFile(train)) written.addAll(TrainingCurves.write(train, log));
        return written;
    }
}
