package org.workbench.report;

import java.awt.BasicStroke;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;

/**
 * The legend under a figure, drawn here rather than by XChart, whose legend below the plot overlaps the x-axis
 * title at this size. Entries go in two columns when every label fits half the width, else in one.
 */
final class Legend {
    static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 7);
    static final int ROW_PT = 10, PAD_PT = 4;
    private static final int SAMPLE_PT = 16;

    private final List<Plot.Series> entries = new ArrayList<>();

    Legend(Plot plot) {
        for (Plot.Series s : plot.series()) if (!s.guide()) entries.add(s);
    }

    /** Columns for a figure this wide: two when the longest label fits (at about 0.55 em per character). */
    int columns(int width) {
        int longest = 0;
        for (Plot.Series s : entries) longest = Math.max(longest, s.name().length());
        return entries.size() > 1 && SAMPLE_PT + 4 + longest * FONT.getSize() * 0.55 < width / 2.0 - PAD_PT ? 2 : 1;
    }

    int height(int width) {
        if (entries.isEmpty()) return 0;
        int rows = (entries.size() + columns(width) - 1) / columns(width);
        return rows * ROW_PT + PAD_PT;
    }

    void paint(Graphics2D g, int width) {
        int cols = columns(width);
        g.setFont(FONT);
        FontMetrics fm = g.getFontMetrics();
        double colWidth = (width - 2.0 * PAD_PT) / cols;
        for (int i = 0; i < entries.size(); i++) {
            Plot.Series s = entries.get(i);
            double x = PAD_PT + 6 + (i % cols) * colWidth, y = (i / cols) * ROW_PT + ROW_PT / 2.0;
            symbol(g, s, x, y);
            g.setColor(java.awt.Color.BLACK);
            g.drawString(s.name(), (float) (x + SAMPLE_PT + 4), (float) (y + fm.getAscent() / 2.0 - 1));
        }
    }

    private static void symbol(Graphics2D g, Plot.Series s, double x, double y) {
        g.setColor(Palette.color(s.color()));
        if (s.style() == Plot.Style.BAND) {
            g.fill(new Rectangle2D.Double(x, y - 3.5, SAMPLE_PT, 7));
            return;
        }
        boolean line = s.style() != Plot.Style.MARKERS;
        if (line) {
            boolean dashed = s.style() == Plot.Style.DASHED || s.style() == Plot.Style.DASHED_MARKERS || s.style() == Plot.Style.DASHED_STEP;
            g.setStroke(dashed ? new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {3f, 2f}, 0f) : new BasicStroke(1f));
            g.draw(new Line2D.Double(x, y, x + SAMPLE_PT, y));
        }
        if (s.style() == Plot.Style.MARKERS || s.style() == Plot.Style.LINE_MARKERS || s.style() == Plot.Style.DASHED_MARKERS)
            marker(g, s.marker(), x + SAMPLE_PT / 2.0, y, 4);
    }

    /** The same shapes XChart draws, at size {@code d} points. */
    static void marker(Graphics2D g, Plot.Marker m, double cx, double cy, double d) {
        double r = d / 2;
        switch (m) {
            case CIRCLE -> g.fill(new Ellipse2D.Double(cx - r, cy - r, d, d));
            case SQUARE -> g.fill(new Rectangle2D.Double(cx - r, cy - r, d, d));
            case DIAMOND -> g.fill(poly(cx, cy - r * 1.3, cx + r * 1.3, cy, cx, cy + r * 1.3, cx - r * 1.3, cy));
            case TRIANGLE -> g.fill(poly(cx - r, cy + r, cx + r, cy + r, cx, cy - r));
            case CROSS -> {
                g.setStroke(new BasicStroke(1f));
                g.draw(new Line2D.Double(cx - r, cy - r, cx + r, cy + r));
                g.draw(new Line2D.Double(cx - r, cy + r, cx + r, cy - r));
            }
            case NONE -> { }
        }
    }

    private static Path2D poly(double... xy) {
        Path2D p = new Path2D.Double();
        p.moveTo(xy[0], xy[1]);
        for (int i = 2; i < xy.length; i += 2) p.lineTo(xy[i], xy[i + 1]);
        p.closePath();
        return p;
    }
}
