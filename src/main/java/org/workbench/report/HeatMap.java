package org.workbench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.util.Locale;

/**
 * A loss surface as a heat map (viridis, which stays ordered in grey and for colour-blind readers) with contour
 * lines (marching squares, linear interpolation on each cell's edges), axes and a colour bar, at column width.
 */
final class HeatMap implements Drawing {
    static final int HEIGHT_PT = 178;
    private static final int LEFT = 38, TOP = 6, SIDE = 144, BAR_GAP = 6, BAR = 7;
    private static final int LEVELS = 6;
    private static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 7), LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 8);
    /** Viridis at nine evenly spaced stops. */
    private static final int[] VIRIDIS = {0x440154, 0x472D7B, 0x3B528B, 0x2C728E, 0x21918C, 0x28AE80, 0x5EC962, 0xADDC30, 0xFDE725};

    private final LossSurface.Grid grid;
    private final String xLabel, yLabel, barLabel;
    private final double min, max;

    HeatMap(LossSurface.Grid grid, String xLabel, String yLabel, String barLabel) {
        this.grid = grid;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.barLabel = barLabel;
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double[] row : grid.loss())
            for (double v : row) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        this.min = lo;
        this.max = hi > lo ? hi : lo + 1;
    }

    static Color viridis(double t) {
        t = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
        int i = Math.min(VIRIDIS.length - 2, (int) t);
        double f = t - i;
        Color a = new Color(VIRIDIS[i]), b = new Color(VIRIDIS[i + 1]);
        return new Color((int) Math.round(a.getRed() + f * (b.getRed() - a.getRed())), (int) Math.round(a.getGreen() + f * (b.getGreen() - a.getGreen())),
                (int) Math.round(a.getBlue() + f * (b.getBlue() - a.getBlue())));
    }

    @Override
    public void paint(Graphics2D g, int width, int height) {
        g.setColor(Color.WHITE);
        g.fill(new Rectangle2D.Double(0, 0, width, height));
        double[] a = grid.a(), b = grid.b();
        int n = a.length, m = b.length;
        double cw = (double) SIDE / n, ch = (double) SIDE / m;
        // Cells centred on the lattice points; b grows upwards.
        for (int j = 0; j < m; j++)
            for (int i = 0; i < n; i++) {
                g.setColor(viridis((grid.loss()[j][i] - min) / (max - min)));
                g.fill(new Rectangle2D.Double(LEFT + i * cw, TOP + (m - 1 - j) * ch, cw + 0.3, ch + 0.3));
            }
        contours(g, cw, ch);
        g.setColor(Color.WHITE);
        g.setStroke(new BasicStroke(0.8f));
        double cx = px(0, cw), cy = py(0, ch);
        g.draw(new Line2D.Double(cx - 3, cy - 3, cx + 3, cy + 3));
        g.draw(new Line2D.Double(cx - 3, cy + 3, cx + 3, cy - 3));
        g.setColor(Color.DARK_GRAY);
        g.setStroke(new BasicStroke(0.6f));
        g.draw(new Rectangle2D.Double(LEFT, TOP, SIDE, SIDE));
        axes(g, cw, ch);
        colourBar(g);
    }

    /** Plot coordinates of a step a (x) or b (y): the lattice spans the centres of the first and last cells. */
    private double px(double a, double cw) {
        double[] v = grid.a();
        return LEFT + cw / 2 + (a - v[0]) / (v[v.length - 1] - v[0]) * (SIDE - cw);
    }

    private double py(double b, double ch) {
        double[] v = grid.b();
        return TOP + SIDE - ch / 2 - (b - v[0]) / (v[v.length - 1] - v[0]) * (SIDE - ch);
    }

    private void contours(Graphics2D g, double cw, double ch) {
        g.setColor(new Color(255, 255, 255, 200));
        g.setStroke(new BasicStroke(0.5f));
        double[][] L = grid.loss();
        double[] a = grid.a(), b = grid.b();
        for (int k = 1; k <= LEVELS; k++) {
            double level = min + (max - min) * k / (LEVELS + 1);
            for (int j = 0; j + 1 < b.length; j++)
                for (int i = 0; i + 1 < a.length; i++) {
                    // Corners counter-clockwise from bottom-left; each edge the level crosses gives one end of a segment.
                    double[] v = {L[j][i], L[j][i + 1], L[j + 1][i + 1], L[j + 1][i]};
                    double[][] p = {{a[i], b[j]}, {a[i + 1], b[j]}, {a[i + 1], b[j + 1]}, {a[i], b[j + 1]}};
                    double[][] ends = new double[4][];
                    int e = 0;
                    for (int c = 0; c < 4; c++) {
                        double v0 = v[c], v1 = v[(c + 1) % 4];
                        if ((v0 < level) != (v1 < level)) {
                            double t = (level - v0) / (v1 - v0);
                            double[] q0 = p[c], q1 = p[(c + 1) % 4];
                            ends[e++] = new double[] {q0[0] + t * (q1[0] - q0[0]), q0[1] + t * (q1[1] - q0[1])};
                        }
                    }
                    for (int s = 0; s + 1 < e; s += 2)
                        g.draw(new Line2D.Double(px(ends[s][0], cw), py(ends[s][1], ch), px(ends[s + 1][0], cw), py(ends[s + 1][1], ch)));
                }
        }
    }

    private void axes(Graphics2D g, double cw, double ch) {
        g.setFont(TICK);
        FontMetrics fm = g.getFontMetrics();
        double r = grid.a()[grid.a().length - 1];
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(0.5f));
        for (double t : new double[] {-r, -r / 2, 0, r / 2, r}) {
            String s = tick(t);
            double x = px(t, cw), y = py(t, ch);
            g.draw(new Line2D.Double(x, TOP + SIDE, x, TOP + SIDE + 2.5));
            g.drawString(s, (float) (x - fm.stringWidth(s) / 2.0), (float) (TOP + SIDE + 3 + fm.getAscent()));
            g.draw(new Line2D.Double(LEFT - 2.5, y, LEFT, y));
            g.drawString(s, (float) (LEFT - 4 - fm.stringWidth(s)), (float) (y + fm.getAscent() / 2.0 - 1));
        }
        g.setFont(LABEL);
        FontMetrics lm = g.getFontMetrics();
        g.drawString(xLabel, (float) (LEFT + (SIDE - lm.stringWidth(xLabel)) / 2.0), (float) (TOP + SIDE + 6 + fm.getAscent() + lm.getAscent()));
        AffineTransform at = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel, (float) (-(TOP + (SIDE + lm.stringWidth(yLabel)) / 2.0)), (float) (lm.getAscent() + 1));
        g.setTransform(at);
    }

    private void colourBar(Graphics2D g) {
        int x = LEFT + SIDE + BAR_GAP;
        for (int k = 0; k < SIDE; k++) {
            g.setColor(viridis(1 - (k + 0.5) / SIDE));
            g.fill(new Rectangle2D.Double(x, TOP + k, BAR, 1.2));
        }
        g.setColor(Color.DARK_GRAY);
        g.setStroke(new BasicStroke(0.5f));
        g.draw(new Rectangle2D.Double(x, TOP, BAR, SIDE));
        g.setFont(TICK);
        FontMetrics fm = g.getFontMetrics();
        g.setColor(Color.BLACK);
        // Round values at a 1-2-5 step, each placed where it falls on the bar.
        double raw = (max - min) / 4, step = Math.pow(10, Math.floor(Math.log10(raw)));
        step *= raw / step >= 5 ? 5 : raw / step >= 2 ? 2 : 1;
        for (double v = Math.ceil(min / step - 1e-3) * step; v <= max + 1e-9 * step; v += step) {
            double y = TOP + SIDE - SIDE * (v - min) / (max - min);
            g.draw(new Line2D.Double(x + BAR, y, x + BAR + 2, y));
            g.drawString(barTick(v, step), (float) (x + BAR + 3), (float) (y + fm.getAscent() / 2.0 - 1));
        }
        g.setFont(LABEL);
        FontMetrics lm = g.getFontMetrics();
        AffineTransform at = g.getTransform();
        g.rotate(Math.PI / 2);
        g.drawString(barLabel, (float) (TOP + (SIDE - lm.stringWidth(barLabel)) / 2.0), (float) (-(FigureFiles.COLUMN_PT - 2 - lm.getAscent())));
        g.setTransform(at);
    }

    /** An axis tick: at most three significant digits, no trailing zeros (0.1, not 0.100). */
    private static String tick(double v) {
        if (Math.abs(v) < 1e-12) return "0";
        return String.format(Locale.ROOT, "%.3g", v).replaceFirst("(\\.\\d*?)0+$", "$1").replaceFirst("\\.$", "");
    }

    /** A colour-bar tick with the decimals its step needs. */
    private static String barTick(double v, double step) {
        int digits = Math.max(0, -(int) Math.floor(Math.log10(step) + 1e-9));
        return String.format(Locale.ROOT, "%." + digits + "f", v + 0.0); // + 0.0: no "-0.0"
    }
}
