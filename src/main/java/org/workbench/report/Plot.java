package org.workbench.report;

import java.util.List;

/**
 * What one XY figure draws, independent of how it is drawn: the same value feeds the XChart rendering (SVG, PDF,
 * PNG), the CSV of plotted points and the PGFPlots redraw, so the three cannot disagree.
 *
 * @param name file stem, e.g. {@code bound-scatter}
 * @param xMin axis limits, NaN to let the axis fit the data
 */
public record Plot(String name, String xLabel, String yLabel, List<Series> series, boolean logX, boolean logY,
                   double xMin, double xMax, double yMin, double yMax) {

    public Plot {
        series = List.copyOf(series);
    }

    public Plot(String name, String xLabel, String yLabel, List<Series> series) {
        this(name, xLabel, yLabel, series, false, false, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    public Plot withYRange(double lo, double hi) {
        return new Plot(name, xLabel, yLabel, series, logX, logY, xMin, xMax, lo, hi);
    }

    public Plot withLogY() {
        return new Plot(name, xLabel, yLabel, series, logX, true, xMin, xMax, yMin, yMax);
    }

    /** Points drawn from data (guides such as a diagonal are not data). */
    public int points() {
        int n = 0;
        for (Series s : series) if (!s.guide()) n += s.x().length;
        return n;
    }

    /** How a series is drawn. */
    public enum Style { MARKERS, LINE, LINE_MARKERS, DASHED, DASHED_MARKERS, BAND, STEP, DASHED_STEP }

    /** Marker shapes, distinguishable without colour. */
    public enum Marker { CIRCLE, SQUARE, DIAMOND, TRIANGLE, CROSS, NONE }

    /**
     * One series. For {@link Style#BAND} the area between {@code y} (low) and {@code yHigh} is shaded; otherwise
     * {@code yHigh} is null. {@code tags} name each point in the CSV (e.g. the sample), may be null.
     * A guide (diagonal, zero line) is drawn but is no data: it is left out of the CSV and the legend.
     */
    public record Series(String name, Style style, int color, Marker marker, double[] x, double[] y, double[] yHigh,
                         String[] tags, boolean guide) {

        public static Series of(String name, Style style, int color, Marker marker, double[] x, double[] y, String[] tags) {
            return new Series(name, style, color, marker, x, y, null, tags, false);
        }

        public static Series band(String name, int color, double[] x, double[] low, double[] high) {
            return new Series(name, Style.BAND, color, Marker.NONE, x, low, high, null, false);
        }

        public static Series guide(String name, double[] x, double[] y) {
            return new Series(name, Style.DASHED, Palette.GREY, Marker.NONE, x, y, null, null, true);
        }
    }
}
