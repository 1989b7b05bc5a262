package org.workbench.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.workbench.config.InputError;

/**
 * A run's results.jsonl read for reporting: unlike {@link ResultsStore}, which drops a cut-short last line so a run
 * can resume, a report refuses any malformed line (naming file and line) rather than draw from partial data.
 */
public final class ResultsFile {
    private static final Set<String> KINDS = Set.of("lower", "exact", "upper");
    private static final Set<String> STATUSES = Set.of("attacked", "verified", "open");

    /**
     * @param lines the current lines: per model and solver, those with the setup of its last line (an older setup's
     *     lines would mix two experiments)
     * @param cleanAccuracy from summary.csv beside the results when present, else NaN (and for a run of several
     *     models, whose clean accuracies {@link #byModel} reads)
     */
    public record Run(Path dir, List<ResultLine> lines, double cleanAccuracy) {}

    private ResultsFile() {}

    public static Run read(Path dir) {
        if (!Files.isDirectory(dir)) throw InputError.at(dir, "no such folder (expected a run's results folder, e.g. results/linf)");
        Path file = dir.resolve("results.jsonl");
        if (!Files.isRegularFile(file)) throw InputError.at(dir, "no results.jsonl or train.csv in this folder: nothing to report (run `workbench solve` or `workbench train` first)");
        List<String> text;
        try {
            text = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw InputError.at(file, "cannot read: " + e.getMessage());
        }
        List<ResultLine> all = new ArrayList<>();
        for (int i = 0; i < text.size(); i++) {
            if (text.get(i).isBlank()) continue;
            ResultLine r;
            try {
                r = ResultsStore.parse(text.get(i));
            } catch (RuntimeException e) {
                throw InputError.at(file, i + 1, null, "malformed result line: expected one JSON object with sample, label, eps, "
                        + "solver, kind, margins, status, time_s and setup");
            }
            if (!KINDS.contains(r.kind())) throw InputError.at(file, i + 1, "kind", "expected lower, exact or upper, got '" + r.kind() + "'");
            if (!STATUSES.contains(r.status()))
                throw InputError.at(file, i + 1, "status", "expected attacked, verified or open, got '" + r.status() + "'");
            all.add(r);
        }
        if (all.isEmpty()) throw InputError.at(file, "no result lines: nothing to report");
        Map<String, String> lastSetup = new HashMap<>();
        for (ResultLine r : all) lastSetup.put(r.model() + "|" + r.solver(), r.setup());
        List<ResultLine> current = new ArrayList<>();
        for (ResultLine r : all) if (r.setup().equals(lastSetup.get(r.model() + "|" + r.solver()))) current.add(r);
        return new Run(dir, current, cleanAccuracy(dir.resolve("summary.csv"), null));
    }

    /**
     * A run of several models ({@code models:}) split into one run per model, in the order the lines name them, each
     * with that model's clean accuracy: a bound scatter or an accuracy curve mixing two networks would mean nothing.
     * A single-model run comes back as one entry, keyed null.
     */
    public static Map<String, Run> byModel(Run run) {
        Map<String, List<ResultLine>> lines = new LinkedHashMap<>();
        for (ResultLine r : run.lines()) lines.computeIfAbsent(r.model(), m -> new ArrayList<>()).add(r);
        Map<String, Run> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<ResultLine>> e : lines.entrySet())
            out.put(e.getKey(), new Run(run.dir(), e.getValue(), cleanAccuracy(run.dir().resolve("summary.csv"), e.getKey())));
        return out;
    }

    /**
     * The clean accuracy the solve run measured: summary.csv's clean_accuracy column, on the first row of the model
     * (model null: on the first row of a summary without a model column). NaN when absent, and when the summary is of
     * the other kind of run (lines of an earlier single-model run beside named ones, or the reverse).
     */
    static double cleanAccuracy(Path summaryCsv, String model) {
        if (!Files.isRegularFile(summaryCsv)) return Double.NaN;
        try {
            List<String> lines = Files.readAllLines(summaryCsv, StandardCharsets.UTF_8);
            if (lines.size() < 2) return Double.NaN;
            List<String> head = List.of(lines.get(0).split(","));
            int col = head.indexOf("clean_accuracy"), modelCol = head.indexOf("model");
            if ((model == null) != (modelCol < 0)) return Double.NaN;
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(",");
                if (model != null && (modelCol >= f.length || !f[modelCol].equals(model))) continue;
                return col < 0 || col >= f.length ? Double.NaN : Double.parseDouble(f[col]);
            }
            return Double.NaN;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
