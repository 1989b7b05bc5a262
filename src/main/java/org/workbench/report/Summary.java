package org.workbench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per eps and solver: how many samples were attacked, verified or left open, as accuracies over the
 * samples of the problem; and every place where a lower bound exceeds an upper bound (a bug, never a result).
 */
public final class Summary {
    /** One row: a solver at one eps over n samples. */
    public record Row(double eps, String solver, String kind, int n, int attacked, int verified, int open, double seconds) {
        /** Accuracy under attack for lower bounds, verified accuracy for upper bounds. */
        public double accuracy() {
            return kind.equals("lower") ? 1.0 - (double) attacked / n : (double) verified / n;
        }
    }

    /** A lower bound above an upper bound for one sample, class and eps. */
    public record Violation(int sample, double eps, int cls, String lowerSolver, double lower, String upperSolver, double upper) {
        @Override
        public String toString() {
            return String.format("sample %d eps %s class %d: %s reached %.9g but %s bounds it by %.9g",
                    sample, eps, cls, lowerSolver, lower, upperSolver, upper);
        }
    }

    private final List<Row> rows;
    private final List<Violation> violations;
    private final int samples;
    private final int clean;

    private Summary(List<Row> rows, List<Violation> violations, int samples, int clean) {
        this.rows = rows;
        this.violations = violations;
        this.samples = samples;
        this.clean = clean;
    }

    /** Summarizes the lines whose setup is current ({@code setups}: solver name to fingerprint). */
    public static Summary of(List<ResultLine> lines, Map<String, String> setups, int samples, int cleanCorrect) {
        Map<String, Row> rows = new LinkedHashMap<>();
        Map<String, List<ResultLine>> bySample = new TreeMap<>();
        for (ResultLine r : lines) {
            if (!r.setup().equals(setups.get(r.solver()))) continue;
            String k = r.eps() + "|" + r.solver();
            Row old = rows.getOrDefault(k, new Row(r.eps(), r.solver(), r.kind(), 0, 0, 0, 0, 0));
            rows.put(k, new Row(r.eps(), r.solver(), r.kind(), old.n() + 1,
                    old.attacked() + (r.status().equals("attacked") ? 1 : 0),
                    old.verified() + (r.status().equals("verified") ? 1 : 0),
                    old.open() + (r.status().equals("open") ? 1 : 0), old.seconds() + r.timeS()));
            bySample.computeIfAbsent(r.sample() + "|" + r.eps(), x -> new ArrayList<>()).add(r);
        }
        List<Row> sorted = new ArrayList<>(rows.values());
        sorted.sort((a, b) -> a.eps() != b.eps() ? Double.compare(a.eps(), b.eps()) : 0);
        return new Summary(sorted, violations(bySample), samples, cleanCorrect);
    }

    private static List<Violation> violations(Map<String, List<ResultLine>> bySample) {
        List<Violation> out = new ArrayList<>();
        for (List<ResultLine> group : bySample.values())
            for (ResultLine lo : group) {
                if (lo.kind().equals("upper")) continue;
                for (ResultLine up : group) {
                    if (up == lo || lo.kind().equals(up.kind()) || up.kind().equals("lower")) continue;
                    // An exact solver's bracket: its lower end meets the relaxations, its upper end the attacks.
                    double[] low = lo.kind().equals("exact") && lo.marginsLower() != null ? lo.marginsLower() : lo.margins();
                    for (int j = 0; j < lo.margins().length; j++) {
                        double a = low[j], b = up.margins()[j];
                        // float64 rounding between two exact computations of the same value stays far below this
                        if (!Double.isNaN(a) && !Double.isNaN(b) && a > b + 1e-6 * (1 + Math.abs(b)))
                            out.add(new Violation(lo.sample(), lo.eps(), j, lo.solver(), a, up.solver(), b));
                    }
                }
            }
        return out;
    }

    public List<Row> rows() {
        return rows;
    }

    public List<Violation> violations() {
        return violations;
    }

    public double cleanAccuracy() {
        return samples == 0 ? Double.NaN : (double) clean / samples;
    }

    public String markdown(String title) {
        StringBuilder sb = new StringBuilder("# " + title + "\n\n");
        sb.append(String.format("Samples: %d. Clean accuracy: %.4f (%d/%d).%n%n", samples, cleanAccuracy(), clean, samples));
        sb.append("| eps | solver | kind | samples | attacked | verified | open | accuracy | time (s) |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows)
            sb.append(String.format("| %s | %s | %s | %d | %d | %d | %d | %.4f | %.1f |%n", fmt(r.eps()), r.solver(), r.kind(),
                    r.n(), r.attacked(), r.verified(), r.open(), r.accuracy(), r.seconds()));
        sb.append("\nBy eps (accuracy under each solver):\n\n");
        List<String> t = table().lines().toList();
        sb.append("| ").append(t.get(0).replace(",", " | ")).append(" |\n|");
        for (int i = 0; i < t.get(0).split(",").length; i++) sb.append("---|");
        sb.append('\n');
        for (String line : t.subList(1, t.size())) sb.append("| ").append(line.replace(",", " | ")).append(" |\n");
        sb.append("\nAccuracy is 1 - attacked/samples for attacks (lower bounds) and verified/samples for relaxations.\n");
        if (!violations.isEmpty()) {
            sb.append("\n## BUG: lower bound above upper bound (").append(violations.size()).append(")\n\n");
            for (Violation v : violations.subList(0, Math.min(50, violations.size()))) sb.append("- ").append(v).append('\n');
        }
        return sb.toString();
    }

    public String csv() {
        StringBuilder sb = new StringBuilder("eps,solver,kind,samples,attacked,verified,open,accuracy,clean_accuracy,time_s\n");
        for (Row r : rows)
            sb.append(String.format("%s,%s,%s,%d,%d,%d,%d,%.6f,%.6f,%.3f%n", fmt(r.eps()), r.solver(), r.kind(), r.n(),
                    r.attacked(), r.verified(), r.open(), r.accuracy(), cleanAccuracy(), r.seconds()));
        return sb.toString();
    }

    /**
     * Figure-ready: one row per eps, one column per solver, each cell the accuracy under that solver (1 - attacked
     * for attacks, verified for relaxations), so attack and certificate curves plot side by side.
     */
    public String table() {
        List<String> solvers = new ArrayList<>();
        Map<Double, Map<String, Double>> cells = new TreeMap<>();
        for (Row r : rows) {
            if (!solvers.contains(r.solver())) solvers.add(r.solver());
            cells.computeIfAbsent(r.eps(), e -> new LinkedHashMap<>()).put(r.solver(), r.accuracy());
        }
        StringBuilder sb = new StringBuilder("eps,clean");
        for (String s : solvers) sb.append(',').append(s);
        sb.append('\n');
        for (Map.Entry<Double, Map<String, Double>> e : cells.entrySet()) {
            sb.append(fmt(e.getKey())).append(String.format(",%.4f", cleanAccuracy()));
            for (String s : solvers) {
                Double v = e.getValue().get(s);
                sb.append(',').append(v == null ? "" : String.format("%.4f", v));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    public void write(Path dir, String title) throws IOException {
        Files.writeString(dir.resolve("summary.md"), markdown(title));
        Files.writeString(dir.resolve("summary.csv"), csv());
        Files.writeString(dir.resolve("table.csv"), table());
    }

    static String fmt(double eps) {
        String s = Double.toString(eps);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }
}
