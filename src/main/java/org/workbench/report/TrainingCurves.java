package org.workbench.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.workbench.config.InputError;

/**
 * Training curves from a training log (train.csv as {@code train.Trainer} writes it): the loss, the errors per
 * epoch (training batches, clean test, under attack, verified) and the eps schedule. Columns are found by name,
 * so logs of older runs with fewer columns draw what they have; an empty cell is "not measured" and not drawn.
 */
public final class TrainingCurves {
    private TrainingCurves() {}

    /** The log's columns by header name, NaN where a cell is empty; checked in full before anything is drawn. */
    public static Map<String, double[]> read(Path csv) {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw InputError.at(csv, "cannot read: " + e.getMessage());
        }
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) lines.remove(lines.size() - 1);
        if (lines.isEmpty() || !List.of(lines.get(0).split(",")).containsAll(List.of("epoch", "train_loss")))
            throw InputError.at(csv, 1, null, "expected a training log whose header names at least epoch and train_loss");
        String[] head = lines.get(0).split(",");
        Map<String, double[]> cols = new LinkedHashMap<>();
        for (String h : head) cols.put(h, new double[lines.size() - 1]);
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",", -1);
            if (f.length != head.length)
                throw InputError.at(csv, i + 1, null, "expected " + head.length + " fields as in the header, got " + f.length);
            for (int c = 0; c < head.length; c++) {
                try {
                    cols.get(head[c])[i - 1] = f[c].isBlank() ? Double.NaN : Double.parseDouble(f[c]);
                } catch (NumberFormatException e) {
                    throw InputError.at(csv, i + 1, head[c], "expected a number, got '" + f[c] + "'");
                }
            }
        }
        return cols;
    }

    /** The figures of one log; {@code prefix} names them (training-loss, training-error, training-eps). */
    public static List<Plot> plots(Map<String, double[]> cols, String prefix) {
        double[] epoch = cols.get("epoch");
        List<Plot> out = new ArrayList<>();
        List<Plot.Series> loss = new ArrayList<>();
        add(loss, "training loss", Palette.BLACK, Plot.Marker.CIRCLE, epoch, cols.get("train_loss"), 1);
        out.add(new Plot(prefix + "-loss", "epoch", "training loss (cross-entropy, nats)", loss));

        List<Plot.Series> err = new ArrayList<>();
        add(err, "training batches", Palette.ORANGE, Plot.Marker.CIRCLE, epoch, cols.get("train_error"), 100);
        add(err, "clean test", Palette.BLUE, Plot.Marker.SQUARE, epoch, cols.get("test_error"), 100);
        add(err, "test under attack", Palette.VERMILLION, Plot.Marker.TRIANGLE, epoch, cols.get("attack_error"), 100);
        add(err, "test not verified", Palette.GREEN, Plot.Marker.DIAMOND, epoch, cols.get("verified_error"), 100);
        out.add(new Plot(prefix + "-error", "epoch", "error (%)", err).withYRange(0, 100));

        List<Plot.Series> eps = new ArrayList<>();
        add(eps, "training radius", Palette.PURPLE, Plot.Marker.CIRCLE, epoch, cols.get("eps"), 1);
        out.add(new Plot(prefix + "-eps", "epoch", "ε schedule (input units)", eps));
        return out;
    }

    private static void add(List<Plot.Series> out, String name, int color, Plot.Marker m, double[] x, double[] y, double scale) {
        if (y == null) return;
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < x.length; i++) if (Double.isFinite(y[i])) pts.add(new double[] {x[i], y[i] * scale});
        if (pts.isEmpty()) return;
        out.add(Plot.Series.of(name, Plot.Style.LINE_MARKERS, color, m, pts.stream().mapToDouble(p -> p[0]).toArray(),
                pts.stream().mapToDouble(p -> p[1]).toArray(), null));
    }

    /** Reads the log and writes its figures into {@code <log's folder>/figures/}; a figure without data says so. */
    public static List<Path> write(Path csv, PrintStream log) {
        Map<String, double[]> cols = read(csv);
        String stem = csv.getFileName().toString().replaceFirst("\\.csv$", "");
        Path dir = csv.toAbsolutePath().getParent().resolve("figures");
        List<Path> written = new ArrayList<>();
        for (Plot p : plots(cols, stem.equals("train") ? "training" : stem)) written.addAll(XyFigure.write(dir, p, log));
        return written;
    }
}
