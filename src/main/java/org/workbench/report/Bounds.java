package org.workbench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Per sample and eps, the best of every solver's bounds on the worst class's margin max_j (z_j - z_y): the largest
 * value an attack (or an exact solver's incumbent) reached, the smallest that certificates (or an exact solver's
 * proven bound) allow, taken per class before the max over classes so a certificate tight on one class and another
 * tight on a second class combine; and the decision: attacked, verified or open.
 */
public record Bounds(int sample, double eps, double lower, double upper, double exact, String status) {

    /** Groups the lines by (eps, sample), in that order. */
    public static List<Bounds> of(List<ResultLine> lines) {
        Map<Double, Map<Integer, List<ResultLine>>> groups = new TreeMap<>();
        for (ResultLine r : lines) groups.computeIfAbsent(r.eps(), e -> new TreeMap<>()).computeIfAbsent(r.sample(), s -> new ArrayList<>()).add(r);
        List<Bounds> out = new ArrayList<>();
        for (Map.Entry<Double, Map<Integer, List<ResultLine>>> e : groups.entrySet())
            for (Map.Entry<Integer, List<ResultLine>> s : e.getValue().entrySet()) out.add(combine(s.getKey(), e.getKey(), s.getValue()));
        return out;
    }

    static Bounds combine(int sample, double eps, List<ResultLine> group) {
        int classes = group.get(0).margins().length;
        double[] lo = new double[classes], up = new double[classes];
        java.util.Arrays.fill(lo, Double.NEGATIVE_INFINITY);
        java.util.Arrays.fill(up, Double.POSITIVE_INFINITY);
        int y = group.get(0).label();
        if (y >= 0 && y < classes) lo[y] = up[y] = Double.NaN; // no margin against the true class itself
        boolean attacked = false, verified = false, anyUpper = false;
        double exact = Double.NaN;
        for (ResultLine r : group) {
            attacked |= r.status().equals("attacked");
            verified |= r.status().equals("verified");
            double[] low = r.kind().equals("lower") ? r.margins() : r.kind().equals("exact") ? r.marginsLower() : null;
            double[] high = r.kind().equals("lower") ? null : r.margins();
            for (int j = 0; j < Math.min(classes, r.margins().length); j++) {
                if (j == y) continue;
                if (low != null && !Double.isNaN(low[j])) lo[j] = Math.max(lo[j], low[j]);
                if (high != null && !Double.isNaN(high[j])) up[j] = Math.min(up[j], high[j]);
            }
            anyUpper |= high != null;
            if (r.kind().equals("exact") && r.marginsLower() != null) {
                double a = worst(r.marginsLower()), b = r.worst();
                // A closed bracket is the exact value; an open one (time limit) is not drawn as one.
                if (Math.abs(a - b) <= 1e-6 * (1 + Math.abs(b))) exact = b;
            }
        }
        double lower = worst(lo), upper = anyUpper ? worst(up) : Double.NaN;
        // Per-class certificates may together prove what no single one did: verified then too.
        String status = attacked ? "attacked" : verified || upper < 0 ? "verified" : "open";
        return new Bounds(sample, eps, lower, upper, exact, status);
    }

    private static double worst(double[] m) {
        double w = Double.NEGATIVE_INFINITY;
        for (double v : m) if (!Double.isNaN(v)) w = Math.max(w, v);
        return w;
    }

    /** Distinct eps values, ascending. */
    public static List<Double> epsValues(List<ResultLine> lines) {
        TreeSet<Double> s = new TreeSet<>();
        for (ResultLine r : lines) s.add(r.eps());
        return new ArrayList<>(s);
    }

    /** Solver name to kind, in order of first appearance. */
    public static Map<String, String> solvers(List<ResultLine> lines) {
        Map<String, String> m = new LinkedHashMap<>();
        for (ResultLine r : lines) m.putIfAbsent(r.solver(), r.kind());
        return m;
    }
}
