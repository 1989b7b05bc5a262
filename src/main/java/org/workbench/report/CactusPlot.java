package org.workbench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A cactus plot as SVG, the competition's figure: for each series, its solved instances' times sorted, so the
 * point (k, t) says that k instances were each solved within t seconds. Time on a log scale.
 */
public final class CactusPlot {
    /** One curve: a label and the times (seconds) of the instances it solved. */
    public record Series(String label, List<Double> seconds) {}

    private static final int W = 760, H = 420, LEFT = 70, RIGHT = 260, TOP = 30, BOTTOM = 50;
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf"};

    private CactusPlot() {}

    public static String svg(String title, List<Series> series) {
        int most = 1;
        double tMin = Double.POSITIVE_INFINITY, tMax = 0;
        for (Series s : series) {
            most = Math.max(most, s.seconds().size());
            for (double t : s.seconds()) {
                tMin = Math.min(tMin, t);
                tMax = Math.max(tMax, t);
            }
        }
        if (tMax == 0) tMin = tMax = 1;
        double lo = Math.pow(10, Math.floor(Math.log10(Math.max(tMin, 1e-3)))), hi = Math.pow(10, Math.ceil(Math.log10(Math.max(tMax, lo * 10))));
        double pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n", W, H));
        b.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\">%s</text>%n", LEFT, escape(title)));
        b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"black\"/>%n", LEFT, TOP, pw, ph));
        for (double t = lo; t <= hi * 1.0001; t *= 10) {
            double y = TOP + ph * (1 - Math.log(t / lo) / Math.log(hi / lo));
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", LEFT, LEFT + pw, y, y));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT - 6, y + 4, label(t)));
        }
        int step = Math.max(1, (int) Math.ceil(most / 10.0 / 5) * 5);
        for (int k = 0; k <= most; k += step) {
            double x = LEFT + pw * k / most;
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%d</text>%n", x, TOP + ph + 16, k));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%.0f\" y=\"%d\" text-anchor=\"middle\">instances solved</text>%n", LEFT + pw / 2, H - 12));
        b.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%.0f\" text-anchor=\"middle\" transform=\"rotate(-90 16 %.0f)\">time (s, log scale)</text>%n", TOP + ph / 2, TOP + ph / 2));
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            List<Double> t = new ArrayList<>(s.seconds());
            Collections.sort(t);
            String color = COLORS[i % COLORS.length];
            StringBuilder pts = new StringBuilder();
            for (int k = 0; k < t.size(); k++) {
                double x = LEFT + pw * (k + 1) / most;
                double y = TOP + ph * (1 - Math.log(Math.max(t.get(k), lo) / lo) / Math.log(hi / lo));
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            b.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n", color, pts.toString().trim()));
            double ly = TOP + 14 + 18 * i;
            b.append(String.format(Locale.ROOT, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"%s\" stroke-width=\"2\"/>%n", LEFT + pw + 10, LEFT + pw + 30, ly, ly, color));
            b.append(String.format(Locale.ROOT, "<text x=\"%.0f\" y=\"%.0f\">%s (%d)</text>%n", LEFT + pw + 35, ly + 4, escape(s.label()), t.size()));
        }
        return b.append("</svg>\n").toString();
    }

    public static void write(Path file, String title, List<Series> series) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, svg(title, series));
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static String label(double t) {
        return t >= 1 ? String.format(Locale.ROOT, "%.0f", t) : String.format(Locale.ROOT, "%s", t).replaceAll("0+$", "");
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
