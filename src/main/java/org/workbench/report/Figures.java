package org.workbench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The figures of a solve run, as {@link Plot}s: the bound scatter and accuracy against eps. */
public final class Figures {
    /** Margins are logit differences; the unit is stated on both axes. */
    static final String ATTACK_AXIS = "best attack margin (logits)", CERT_AXIS = "best certified margin (logits)";

    private static final Plot.Marker[] MARKERS = {Plot.Marker.TRIANGLE, Plot.Marker.CIRCLE, Plot.Marker.SQUARE, Plot.Marker.DIAMOND, Plot.Marker.CROSS};

    private Figures() {}

    /**
     * Per sample and eps: the best attack's margin of the worst class (x) against the best certificate's (y). The
     * diagonal y = x is drawn: a point below it would be a lower bound above an upper bound, a bug. Points with
     * no finite pair (no certificate run, no attack point) are not drawn.
     */
    public static Plot boundScatter(List<Bounds> bounds) {
        List<double[]> ver = new ArrayList<>(), att = new ArrayList<>(), open = new ArrayList<>(), ex = new ArrayList<>();
        List<String> verT = new ArrayList<>(), attT = new ArrayList<>(), openT = new ArrayList<>(), exT = new ArrayList<>();
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Bounds b : bounds) {
            if (!Double.isFinite(b.lower()) || !Double.isFinite(b.upper())) continue;
            String tag = String.format(Locale.ROOT, "sample %d eps %s", b.sample(), Summary.fmt(b.eps()));
            double[] p = {b.lower(), b.upper()};
            switch (b.status()) {
                case "verified" -> { ver.add(p); verT.add(tag); }
                case "attacked" -> { att.add(p); attT.add(tag); }
                default -> { open.add(p); openT.add(tag); }
            }
            if (Double.isFinite(b.exact())) {
                ex.add(new double[] {b.lower(), b.exact()});
                exT.add(tag);
            }
            lo = Math.min(lo, Math.min(b.lower(), b.upper()));
            hi = Math.max(hi, Math.max(b.lower(), b.upper()));
        }
        List<Plot.Series> s = new ArrayList<>();
        if (lo <= hi) {
            s.add(Plot.Series.guide("y = x", new double[] {lo, hi}, new double[] {lo, hi}));
            if (lo < 0 && hi > 0) {
                s.add(Plot.Series.guide("x = 0", new double[] {0, 0}, new double[] {lo, hi}));
                s.add(Plot.Series.guide("y = 0", new double[] {lo, hi}, new double[] {0, 0}));
            }
        }
        addMarkers(s, "verified (certificate < 0)", Palette.BLUE, Plot.Marker.CIRCLE, ver, verT);
        addMarkers(s, "attacked (attack > 0)", Palette.VERMILLION, Plot.Marker.TRIANGLE, att, attT);
        addMarkers(s, "open", Palette.ORANGE, Plot.Marker.SQUARE, open, openT);
        addMarkers(s, "exact (closed MIP bracket)", Palette.BLACK, Plot.Marker.CROSS, ex, exT);
        return new Plot("bound-scatter", ATTACK_AXIS, CERT_AXIS, s);
    }

    private static void addMarkers(List<Plot.Series> out, String name, int color, Plot.Marker m, List<double[]> pts, List<String> tags) {
        if (pts.isEmpty()) return;
        double[] x = new double[pts.size()], y = new double[pts.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = pts.get(i)[0];
            y[i] = pts.get(i)[1];
        }
        out.add(Plot.Series.of(name, Plot.Style.MARKERS, color, m, x, y, tags.toArray(String[]::new)));
    }

    /**
     * Accuracy (%) against eps: the clean accuracy, each solver (attacks: not attacked; exact solvers and
     * relaxations: verified), and shaded between the best attack and the best certificate per sample, the
     * samples no method has decided.
     */
    public static Plot accuracy(List<ResultLine> lines, List<Bounds> bounds, double clean, String epsLabel) {
        List<Double> eps = Bounds.epsValues(lines);
        double[] x = eps.stream().mapToDouble(Double::doubleValue).toArray();
        List<Plot.Series> s = new ArrayList<>();
        double[] attackAcc = new double[x.length], certAcc = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int n = 0, attacked = 0, verified = 0;
            for (Bounds b : bounds) {
                if (b.eps() != x[i]) continue;
                n++;
                if (b.status().equals("attacked")) attacked++;
                if (b.status().equals("verified")) verified++;
            }
            attackAcc[i] = 100.0 * (n - attacked) / n;
            certAcc[i] = 100.0 * verified / n;
        }
        boolean certified = Bounds.solvers(lines).values().stream().anyMatch(k -> !k.equals("lower"));
        s.add(Plot.Series.band(certified ? "undecided (best attack to best certificate)" : "undecided (no certificate was run)",
                Palette.BAND, x, certAcc, attackAcc));
        if (!Double.isNaN(clean)) {
            double[] cx = x.length == 1 ? new double[] {0, x[0]} : new double[] {x[0], x[x.length - 1]};
            s.add(Plot.Series.of(String.format(Locale.ROOT, "clean (%.1f%%)", 100 * clean), Plot.Style.DASHED, Palette.BLACK,
                    Plot.Marker.NONE, cx, new double[] {100 * clean, 100 * clean}, null));
        }
        int k = 0;
        for (Map.Entry<String, String> solver : Bounds.solvers(lines).entrySet()) {
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
            for (int i = 0; i < x.length; i++) {
                int n = 0, hit = 0;
                for (ResultLine r : lines) {
                    if (!r.solver().equals(solver.getKey()) || r.eps() != x[i]) continue;
                    n++;
                    if (solver.getValue().equals("lower") ? !r.status().equals("attacked") : r.status().equals("verified")) hit++;
                }
                if (n > 0) {
                    xs.add(x[i]);
                    ys.add(100.0 * hit / n);
                }
            }
            String kind = solver.getValue().equals("lower") ? "attack" : solver.getValue().equals("exact") ? "exact" : "certified";
            Plot.Style style = solver.getValue().equals("lower") ? Plot.Style.LINE_MARKERS : Plot.Style.DASHED_MARKERS;
            // Line style tells attack from certificate, marker and colour tell the solvers apart.
            Plot.Marker m = MARKERS[k % MARKERS.length];
            s.add(Plot.Series.of(solver.getKey() + " (" + kind + ")", style, Palette.series(k++), m,
                    xs.stream().mapToDouble(Double::doubleValue).toArray(), ys.stream().mapToDouble(Double::doubleValue).toArray(), null));
        }
        return new Plot("accuracy-eps", epsLabel, "accuracy (%)", s).withYRange(0, 100);
    }
}
