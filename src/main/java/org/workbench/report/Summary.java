package org.workbench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per eps, model and solver: how many samples were attacked, verified or left open, as accuracies over the
 * samples of the problem; and every place where a lower bound exceeds an upper bound (a bug, never a result), which
 * is only looked for within one model: two networks' bounds say nothing about each other. With one unnamed model
 * (a problem's {@code model:}) the files have no model column, as before problems could name several.
 */
public final class Summary {
    /** One row: a solver at one eps on one model (null: the problem's only model) over n samples. */
    public record Row(String model, double eps, String solver, String kind, int n, int attacked, int verified, int open, double seconds) {
        /** Accuracy under attack for lower bounds, verified accuracy for upper bounds. */
        public double accuracy() {
            return kind.equals("lower") ? 1.0 - (double) attacked / n : (double) verified / n;
        }
    }

    /** A lower bound above an upper bound for one model, sample, class and eps. */
    public record Violation(String model, int sample, double eps, int cls, String lowerSolver, double lower, String upperSolver, double upper) {
        @Override
        public String toString() {
            return String.format("%ssample %d eps %s class %d: %s reached %.9g but %s bounds it by %.9g",
                    model == null ? "" : "model " + model + " ", sample, eps, cls, lowerSolver, lower, upperSolver, upper);
        }
    }

    /**
     * One model of the run: its name in the lines (null for a single {@code model:}), the setup fingerprint per solver
     * name that its current lines carry, and how many samples it classifies correctly.
     */
    public record Model(String name, Map<String, String> setups, int cleanCorrect) {}

    private final List<Row> rows;
    private final List<Violation> violations;
    private final int samples;
    private final List<Model> models;

    private Summary(List<Row> rows, List<Violation> violations, int samples, List<Model> models) {
        this.rows = rows;
        this.violations = violations;
        this.samples = samples;
        this.models = models;
    }

    /** Summarizes the lines whose model is one of {@code models} and whose setup is that model's current one. */
    public static Summary of(List<ResultLine> lines, List<Model> models, int samples) {
        Map<String, Model> byName = new HashMap<>();
        for (Model m : models) byName.put(m.name(), m);
        Map<String, Row> rows = new LinkedHashMap<>();
        Map<String, List<ResultLine>> bySample = new TreeMap<>();
        for (ResultLine r : lines) {
            Model m = byName.get(r.model());
            if (m == null || !r.setup().equals(m.setups().get(r.solver()))) continue;
            String k = r.model() + "|" + r.eps() + "|" + r.solver();
            Row old = rows.getOrDefault(k, new Row(r.model(), r.eps(), r.solver(), r.kind(), 0, 0, 0, 0, 0));
            rows.put(k, new Row(r.model(), r.eps(), r.solver(), r.kind(), old.n() + 1,
                    old.attacked() + (r.status().equals("attacked") ? 1 : 0),
                    old.verified() + (r.status().equals("verified") ? 1 : 0),
                    old.open() + (r.status().equals("open") ? 1 : 0), old.seconds() + r.timeS()));
            bySample.computeIfAbsent(r.model() + "|" + r.sample() + "|" + r.eps(), x -> new ArrayList<>()).add(r);
        }
        List<Row> sorted = new ArrayList<>(rows.values());
        List<String> order = models.stream().map(Model::name).toList();
        // By eps, then the models in the problem's order (side by side); solvers keep their order within.
        sorted.sort(Comparator.comparingDouble(Row::eps).thenComparingInt(r -> order.indexOf(r.model())));
        return new Summary(sorted, violations(bySample), samples, List.copyOf(models));
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
                            out.add(new Violation(lo.model(), lo.sample(), lo.eps(), j, lo.solver(), a, up.solver(), b));
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

    /** The clean accuracy of the first (for a {@code model:} problem, the only) model. */
    public double cleanAccuracy() {
        return cleanAccuracy(models.get(0).name());
    }

    /** The clean accuracy of the named model (null: the only one of a {@code model:} problem); NaN if it is not in the run. */
    public double cleanAccuracy(String model) {
        for (Model m : models)
            if (java.util.Objects.equals(m.name(), model)) return samples == 0 ? Double.NaN : (double) m.cleanCorrect() / samples;
        return Double.NaN;
    }

    /** Whether the files carry a model column: the problem listed {@code models:}. */
    private boolean named() {
        return models.get(0).name() != null;
    }

    /** The row's leading cells up to the solver: eps, and the model when the run names models. */
    private String lead(double eps, String model, String sep) {
        return fmt(eps) + (named() ? sep + model : "");
    }

    public String markdown(String title) {
        StringBuilder sb = new StringBuilder("# " + title + "\n\n");
        if (named()) {
            List<String> clean = new ArrayList<>();
            for (Model m : models)
                clean.add(String.format("%s %.4f (%d/%d)", m.name(), cleanAccuracy(m.name()), m.cleanCorrect(), samples));
            sb.append(String.format("Samples: %d. Clean accuracy: %s.%n%n", samples, String.join(", ", clean)));
        } else {
            sb.append(String.format("Samples: %d. Clean accuracy: %.4f (%d/%d).%n%n", samples, cleanAccuracy(), models.get(0).cleanCorrect(), samples));
        }
        sb.append(named() ? "| eps | model " : "| eps ").append("| solver | kind | samples | attacked | verified | open | accuracy | time (s) |\n");
        sb.append(named() ? "|---|---" : "|---").append("|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows)
            sb.append(String.format("| %s | %s | %s | %d | %d | %d | %d | %.4f | %.1f |%n", lead(r.eps(), r.model(), " | "), r.solver(), r.kind(),
                    r.n(), r.attacked(), r.verified(), r.open(), r.accuracy(), r.seconds()));
        sb.append(named() ? "\nBy eps and model (accuracy under each solver):\n\n" : "\nBy eps (accuracy under each solver):\n\n");
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
        StringBuilder sb = new StringBuilder(named() ? "eps,model," : "eps,").append("solver,kind,samples,attacked,verified,open,accuracy,clean_accuracy,time_s\n");
        for (Row r : rows)
            sb.append(String.format("%s,%s,%s,%d,%d,%d,%d,%.6f,%.6f,%.3f%n", lead(r.eps(), r.model(), ","), r.solver(), r.kind(), r.n(),
                    r.attacked(), r.verified(), r.open(), r.accuracy(), cleanAccuracy(r.model()), r.seconds()));
        return sb.toString();
    }

    /**
     * Figure-ready: one row per eps (and model), one column per solver, each cell the accuracy under that solver
     * (1 - attacked for attacks, verified for relaxations), so attack and certificate curves plot side by side.
     */
    public String table() {
        List<String> solvers = new ArrayList<>();
        // Rows are sorted by eps and model already: one table row per (eps, model), in that order.
        Map<String, Map<String, Double>> cells = new LinkedHashMap<>();
        Map<String, String> modelOf = new HashMap<>();
        for (Row r : rows) {
            if (!solvers.contains(r.solver())) solvers.add(r.solver());
            String lead = lead(r.eps(), r.model(), ",");
            cells.computeIfAbsent(lead, e -> new LinkedHashMap<>()).put(r.solver(), r.accuracy());
            modelOf.put(lead, r.model());
        }
        StringBuilder sb = new StringBuilder(named() ? "eps,model,clean" : "eps,clean");
        for (String s : solvers) sb.append(',').append(s);
        sb.append('\n');
        for (Map.Entry<String, Map<String, Double>> e : cells.entrySet()) {
            sb.append(e.getKey()).append(String.format(",%.4f", cleanAccuracy(modelOf.get(e.getKey()))));
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
