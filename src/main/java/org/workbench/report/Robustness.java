package org.workbench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.workbench.config.InputError;

/**
 * The robustness distribution of a radius search (radii.csv): over the samples, the empirical CDF of the smallest
 * eps an attack succeeded at (an upper bound on each sample's robust radius) and of the largest eps certified (a
 * lower bound). The true radii's CDF lies between the two curves; the gap is what no method has decided.
 */
public final class Robustness {
    /** Per sample: the best attack's eps (+infinity: none in range) and the best certificate's (0: none); the range's end. */
    public record Radii(int[] samples, double[] attack, double[] certified, double hi) {}

    private Robustness() {}

    public static Radii read(Path csv) {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw InputError.at(csv, "cannot read: " + e.getMessage());
        }
        if (lines.isEmpty()) throw InputError.at(csv, 1, null, "expected a header with sample, attack_eps and certified_eps");
        List<String> head = Arrays.asList(lines.get(0).split(","));
        int s = head.indexOf("sample"), a = head.indexOf("attack_eps"), c = head.indexOf("certified_eps"), h = head.indexOf("range_hi");
        if (s < 0 || a < 0 || c < 0 || h < 0)
            throw InputError.at(csv, 1, null, "expected a header with sample, attack_eps, certified_eps and range_hi");
        List<double[]> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            String[] f = lines.get(i).split(",", -1);
            try {
                rows.add(new double[] {Integer.parseInt(f[s]), value(f[a]), value(f[c]), Double.parseDouble(f[h])});
            } catch (RuntimeException e) {
                throw InputError.at(csv, i + 1, null, "expected a sample index and two eps values (a number or inf), got '" + lines.get(i) + "'");
            }
        }
        if (rows.isEmpty()) throw InputError.at(csv, "no samples");
        double hi = rows.get(0)[3];
        return new Radii(rows.stream().mapToInt(r -> (int) r[0]).toArray(), rows.stream().mapToDouble(r -> r[1]).toArray(),
                rows.stream().mapToDouble(r -> r[2]).toArray(), hi);
    }

    private static double value(String s) {
        return s.equals("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(s);
    }

    /** Two step curves: the share of samples (%) whose attack eps, and whose certified eps, is at most x. */
    public static Plot plot(Radii r, String epsLabel) {
        List<Plot.Series> s = new ArrayList<>();
        s.add(cdf("upper bound: smallest ε attacked (median " + median(r.attack(), r.hi()) + ")", Plot.Style.STEP, Palette.VERMILLION,
                r.samples(), r.attack(), r.hi(), false));
        s.add(cdf("lower bound: largest ε certified (median " + median(r.certified(), r.hi()) + ")", Plot.Style.DASHED_STEP, Palette.BLUE,
                r.samples(), r.certified(), r.hi(), true));
        return new Plot("robustness-distribution", epsLabel, "samples with radius ≤ ε (%)", s);
    }

    /**
     * The empirical CDF as drawn: from (0, 0), one point per sample with a value inside the range, to the range's end.
     * A sample certified at the range's end has a radius of at least hi, so it is not counted below hi.
     */
    private static Plot.Series cdf(String name, Plot.Style style, int color, int[] samples, double[] v, double hi, boolean certified) {
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (p, q) -> Double.compare(v[p], v[q]));
        List<double[]> pts = new ArrayList<>();
        List<String> tags = new ArrayList<>();
        pts.add(new double[] {0, 0});
        tags.add("start");
        int k = 0;
        for (int i : order) {
            if (!Double.isFinite(v[i]) || certified && v[i] >= hi) break;
            k++;
            pts.add(new double[] {v[i], 100.0 * k / v.length});
            tags.add("sample " + samples[i]);
        }
        pts.add(new double[] {hi, 100.0 * k / v.length});
        tags.add("end of range");
        return Plot.Series.of(name, style, color, Plot.Marker.NONE, pts.stream().mapToDouble(p -> p[0]).toArray(),
                pts.stream().mapToDouble(p -> p[1]).toArray(), tags.toArray(String[]::new));
    }

    static String median(double[] v, double hi) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        double m = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        return m >= hi ? "≥ " + String.format(Locale.ROOT, "%.3g", hi) : String.format(Locale.ROOT, "%.3g", m);
    }
}
