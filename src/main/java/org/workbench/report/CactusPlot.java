package org.workbench.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The competition's cactus plot: for each series, its solved instances' times sorted, so the point (k, t) says
 * that k instances were each solved within t seconds. Time on a log scale; drawn through {@link XyFigure}.
 */
public final class CactusPlot {
    /** One curve: a label and the times (seconds) of the instances it solved. */
    public record Series(String label, List<Double> seconds) {}

    /** Times below this are drawn at it: a log axis has no zero (the CSV holds the value drawn). */
    static final double FLOOR_S = 1e-3;

    private CactusPlot() {}

    public static Plot plot(String name, List<Series> series) {
        List<Plot.Series> out = new ArrayList<>();
        int most = 1;
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            List<Double> t = new ArrayList<>(s.seconds());
            Collections.sort(t);
            double[] x = new double[t.size()], y = new double[t.size()];
            most = Math.max(most, t.size());
            for (int k = 0; k < x.length; k++) {
                x[k] = k + 1;
                y[k] = Math.max(t.get(k), FLOOR_S);
            }
            // Solid and dashed alternate so that neighbouring curves differ in more than colour.
            out.add(Plot.Series.of(s.label() + " (" + t.size() + ")", i % 2 == 0 ? Plot.Style.LINE : Plot.Style.DASHED,
                    Palette.series(i), Plot.Marker.NONE, x, y, null));
        }
        Plot p = new Plot(name, "instances solved", "time (s, log scale)", out).withLogY();
        // A little room on the right: XChart puts a tick on every k-th point when the axis values are equally spaced
        // (1, 2, ..., n), and those labels run into each other; an uneven end restores round ticks.
        return new Plot(p.name(), p.xLabel(), p.yLabel(), p.series(), false, true, 0, most * 1.03, Double.NaN, Double.NaN);
    }
}
