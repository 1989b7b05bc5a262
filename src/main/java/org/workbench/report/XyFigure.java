package org.workbench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * One {@link Plot} as files: XChart draws it (SVG, PDF, PNG through {@link FigureFiles}), and the same series
 * give the CSV of plotted points and a PGFPlots {@code .tex} that redraws it in the paper's fonts.
 */
public final class XyFigure {
    /** Height of the plot area's figure before the legend, in points (3.3 in wide, about 2.4 in high). */
    static final int BASE_HEIGHT_PT = 172;
    private static final BasicStroke DASHED = new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {3f, 2f}, 0f);
    private static final BasicStroke SOLID = new BasicStroke(1f);

    private XyFigure() {}

    /** Writes the figure into {@code dir}, or prints one line and writes nothing when it has no data point. */
    public static List<Path> write(Path dir, Plot plot, PrintStream log) {
        if (plot.points() == 0) {
            log.println(plot.name() + ": no data to plot, no figure written");
            return List.of();
        }
        int width = FigureFiles.COLUMN_PT;
        Legend legend = new Legend(plot);
        int height = BASE_HEIGHT_PT + legend.height(width);
        XYChart chart = chart(plot, width, BASE_HEIGHT_PT);
        Map<String, String> texts = new LinkedHashMap<>();
        texts.put(".csv", csv(plot));
        texts.put(".tex", tex(plot, legend.columns(width)));
        Drawing drawing = (g, w, h) -> {
            chart.paint(g, w, BASE_HEIGHT_PT);
            java.awt.geom.AffineTransform at = g.getTransform();
            g.translate(0, BASE_HEIGHT_PT);
            legend.paint(g, w);
            g.setTransform(at);
        };
        return FigureFiles.write(dir, plot.name(), drawing, width, height, texts);
    }

    static XYChart chart(Plot plot, int width, int height) {
        XYChart c = new XYChart(width, height);
        c.setXAxisTitle(plot.xLabel());
        c.setYAxisTitle(plot.yLabel());
        var st = c.getStyler();
        st.setChartTitleVisible(false);
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotBorderColor(Color.DARK_GRAY);
        st.setPlotGridLinesColor(new Color(0xEEEEEE));
        st.setPlotGridLinesStroke(new BasicStroke(0.5f));
        st.setChartPadding(4);
        st.setPlotMargin(2);
        st.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 8));
        st.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 7));
        st.setAxisTitlePadding(3);
        st.setAxisTickPadding(2);
        st.setAxisTickMarkLength(3);
        st.setLegendVisible(false);
        st.setXAxisTickMarkSpacingHint(45);
        st.setYAxisTickMarkSpacingHint(30);
        st.setXAxisMaxLabelCount(7); // at 3.3 in, more labels of three digits run into each other
        st.setYAxisLogarithmicDecadeOnly(true);
        st.setMarkerSize(4);
        st.setAntiAlias(true);
        st.setLocale(Locale.ROOT);
        st.setXAxisLogarithmic(plot.logX());
        st.setYAxisLogarithmic(plot.logY());
        double[] xr = range(plot, true), yr = range(plot, false);
        double[] x = limits(plot.xMin(), plot.xMax(), xr, plot.logX()), y = limits(plot.yMin(), plot.yMax(), yr, plot.logY());
        if (!Double.isNaN(x[0])) st.setXAxisMin(x[0]);
        if (!Double.isNaN(x[1])) st.setXAxisMax(x[1]);
        if (!Double.isNaN(y[0])) st.setYAxisMin(y[0]);
        if (!Double.isNaN(y[1])) st.setYAxisMax(y[1]);
        if (!plot.logX()) st.setXAxisDecimalPattern(decimals(x[1] - x[0]));
        if (!plot.logY()) st.setYAxisDecimalPattern(decimals(y[1] - y[0]));
        for (Plot.Series s : plot.series()) add(c, s);
        return c;
    }

    /** The data's extent along x or y: {min, max}, or NaNs when there is none. */
    static double[] range(Plot plot, boolean alongX) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Plot.Series s : plot.series())
            for (double[] v : alongX ? new double[][] {s.x()} : new double[][] {s.y(), s.yHigh()}) {
                if (v == null) continue;
                for (double d : v) {
                    if (!Double.isFinite(d)) continue;
                    lo = Math.min(lo, d);
                    hi = Math.max(hi, d);
                }
            }
        return lo <= hi ? new double[] {lo, hi} : new double[] {Double.NaN, Double.NaN};
    }

    /**
     * Axis limits: the plot's own where given, else the data's extent widened by a little more than 3 % on each
     * side. The margin keeps markers off the frame, and it matters to XChart: given equally spaced values (epochs
     * 1..n, a linear eps ramp) it puts a labelled tick on every k-th value, which at this width run into each other.
     */
    static double[] limits(double min, double max, double[] data, boolean log) {
        if (log || Double.isNaN(data[0])) return new double[] {min, max};
        double span = data[1] - data[0] > 0 ? data[1] - data[0] : Math.max(1e-9, Math.abs(data[0]));
        double pad = 0.0314 * span;
        return new double[] {Double.isNaN(min) ? data[0] - pad : min, Double.isNaN(max) ? data[1] + pad : max};
    }

    /** Enough decimals for ticks over this span (0.14 gives 0.###, 28 gives 0.#), always with the leading zero. */
    static String decimals(double span) {
        if (!(span > 0) || !Double.isFinite(span)) return "0.###";
        int digits = Math.max(0, 2 - (int) Math.floor(Math.log10(span)));
        return digits == 0 ? "0" : "0." + "#".repeat(digits);
    }

    private static void add(XYChart c, Plot.Series s) {
        if (s.x().length == 0) return; // still in the legend (e.g. a run that solved nothing), nothing to draw
        Color color = Palette.color(s.color());
        XYSeries x;
        if (s.style() == Plot.Style.BAND) {
            int n = s.x().length;
            double[] px = new double[2 * n], py = new double[2 * n];
            for (int i = 0; i < n; i++) {
                px[i] = s.x()[i];
                py[i] = s.yHigh()[i];
                px[2 * n - 1 - i] = s.x()[i];
                py[2 * n - 1 - i] = s.y()[i];
            }
            x = c.addSeries(s.name(), px, py);
            x.setXYSeriesRenderStyle(XYSeriesRenderStyle.PolygonArea);
            x.setFillColor(color);
            x.setLineColor(color);
            x.setLineStyle(new BasicStroke(0.1f));
            x.setMarker(SeriesMarkers.NONE);
            return;
        }
        x = c.addSeries(s.name(), s.x(), s.y());
        x.setShowInLegend(!s.guide());
        x.setLineColor(s.guide() ? Palette.color(Palette.GREY) : color);
        x.setMarkerColor(color);
        switch (s.style()) {
            case MARKERS -> x.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
            case DASHED, DASHED_MARKERS -> {
                x.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
                x.setLineStyle(DASHED);
            }
            case STEP, DASHED_STEP -> {
                x.setXYSeriesRenderStyle(XYSeriesRenderStyle.Step);
                x.setLineStyle(s.style() == Plot.Style.STEP ? SOLID : DASHED);
            }
            default -> {
                x.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
                x.setLineStyle(SOLID);
            }
        }
        boolean markers = s.style() == Plot.Style.MARKERS || s.style() == Plot.Style.LINE_MARKERS || s.style() == Plot.Style.DASHED_MARKERS;
        x.setMarker(markers ? marker(s.marker()) : SeriesMarkers.NONE);
    }

    private static org.knowm.xchart.style.markers.Marker marker(Plot.Marker m) {
        return switch (m) {
            case CIRCLE -> SeriesMarkers.CIRCLE;
            case SQUARE -> SeriesMarkers.SQUARE;
            case DIAMOND -> SeriesMarkers.DIAMOND;
            case TRIANGLE -> SeriesMarkers.TRIANGLE_UP;
            case CROSS -> SeriesMarkers.CROSS;
            case NONE -> SeriesMarkers.NONE;
        };
    }

    /** One row per data point drawn: its series, x, y (the band's low end), the band's high end, and its tag. */
    static String csv(Plot plot) {
        StringBuilder sb = new StringBuilder("series,x,y,y_high,tag\n");
        for (Plot.Series s : plot.series()) {
            if (s.guide()) continue;
            for (int i = 0; i < s.x().length; i++)
                sb.append(csvField(s.name())).append(',').append(num(s.x()[i])).append(',').append(num(s.y()[i])).append(',')
                        .append(s.yHigh() == null ? "" : num(s.yHigh()[i])).append(',')
                        .append(s.tags() == null ? "" : csvField(s.tags()[i])).append('\n');
        }
        return sb.toString();
    }

    /** A standalone tikzpicture with the data inline (so the file alone redraws the figure). */
    static String tex(Plot plot, int legendColumns) {
        StringBuilder sb = new StringBuilder();
        sb.append("% ").append(plot.name()).append(": redraws the figure in the document's fonts; \\input it inside a figure.\n");
        sb.append("% Needs \\usepackage{pgfplots} and \\pgfplotsset{compat=1.16}. Data: ").append(plot.name()).append(".csv.\n");
        sb.append(Palette.texDefinitions());
        sb.append("\\begin{tikzpicture}\n\\begin{axis}[\n");
        sb.append("  width=3.3in, height=").append(String.format(Locale.ROOT, "%.2fin", BASE_HEIGHT_PT / 72.0)).append(", scale only axis=false,\n");
        sb.append("  xlabel={").append(texText(plot.xLabel())).append("}, ylabel={").append(texText(plot.yLabel())).append("},\n");
        if (plot.logX()) sb.append("  xmode=log,\n");
        if (plot.logY()) sb.append("  ymode=log,\n");
        if (!Double.isNaN(plot.xMin())) sb.append("  xmin=").append(num(plot.xMin())).append(",\n");
        if (!Double.isNaN(plot.xMax())) sb.append("  xmax=").append(num(plot.xMax())).append(",\n");
        if (!Double.isNaN(plot.yMin())) sb.append("  ymin=").append(num(plot.yMin())).append(",\n");
        if (!Double.isNaN(plot.yMax())) sb.append("  ymax=").append(num(plot.yMax())).append(",\n");
        sb.append("  tick label style={font=\\scriptsize, /pgf/number format/fixed}, scaled ticks=false, label style={font=\\small},\n");
        sb.append("  legend cell align=left, legend style={font=\\scriptsize, draw=none, at={(0.5,-0.22)}, anchor=north, legend columns=" + legendColumns + "},\n");
        sb.append("  grid=major, grid style={gray!15}, mark size=1.2pt,\n]\n");
        for (Plot.Series s : plot.series()) {
            String color = Palette.texName(s.color());
            if (s.style() == Plot.Style.BAND) {
                sb.append("\\addplot[fill=").append(color).append(", draw=none, area legend] coordinates {");
                for (int i = 0; i < s.x().length; i++) sb.append('(').append(num(s.x()[i])).append(',').append(num(s.yHigh()[i])).append(')');
                for (int i = s.x().length - 1; i >= 0; i--) sb.append('(').append(num(s.x()[i])).append(',').append(num(s.y()[i])).append(')');
                sb.append("} -- cycle;\n");
            } else {
                sb.append("\\addplot[").append(s.guide() ? Palette.texName(Palette.GREY) : color).append(", ").append(texStyle(s));
                if (s.guide()) sb.append(", forget plot");
                sb.append("] coordinates {");
                for (int i = 0; i < s.x().length; i++) sb.append('(').append(num(s.x()[i])).append(',').append(num(s.y()[i])).append(')');
                sb.append("};\n");
            }
            if (!s.guide()) sb.append("\\addlegendentry{").append(texText(s.name())).append("}\n");
        }
        sb.append("\\end{axis}\n\\end{tikzpicture}\n");
        return sb.toString();
    }

    private static String texStyle(Plot.Series s) {
        String mark = switch (s.marker()) {
            case CIRCLE -> "mark=*";
            case SQUARE -> "mark=square*";
            case DIAMOND -> "mark=diamond*";
            case TRIANGLE -> "mark=triangle*";
            case CROSS -> "mark=x";
            case NONE -> "no marks";
        };
        return switch (s.style()) {
            case MARKERS -> "only marks, " + mark;
            case LINE -> "solid, no marks";
            case LINE_MARKERS -> "solid, " + mark;
            case DASHED -> "dashed, no marks";
            case DASHED_MARKERS -> "dashed, " + mark;
            case BAND -> "";
            case STEP -> "solid, const plot, no marks";
            case DASHED_STEP -> "dashed, const plot, no marks";
        };
    }

    /** Text for a LaTeX label: the few special characters escaped, Greek letters and the like in math mode. */
    static String texText(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == 'ℓ' && i + 1 < s.length() && (s.charAt(i + 1) == '∞' || s.charAt(i + 1) == '2')) {
                sb.append(s.charAt(++i) == '∞' ? "$\\ell_\\infty$" : "$\\ell_2$");
                continue;
            }
            switch (ch) {
                case 'ε' -> sb.append("$\\varepsilon$");
                case 'δ' -> sb.append("$\\delta$");
                case '∞' -> sb.append("$\\infty$");
                case 'ℓ' -> sb.append("$\\ell$");
                case '·' -> sb.append("$\\cdot$");
                case '≤' -> sb.append("$\\leq$");
                case '−' -> sb.append("$-$");
                case '%', '&', '#', '_', '$', '{', '}' -> sb.append('\\').append(ch);
                case '~' -> sb.append("\\textasciitilde{}");
                case '^' -> sb.append("\\textasciicircum{}");
                case '\\' -> sb.append("\\textbackslash{}");
                default -> sb.append(ch);
            }
        }
        return sb.toString();
    }

    static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v).replace('E', 'e');
    }

    static String csvField(String s) {
        return s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }
}
