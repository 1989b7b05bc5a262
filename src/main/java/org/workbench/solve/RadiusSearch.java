package org.workbench.solve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.workbench.problem.EpsSearch;
import org.workbench.report.ResultLine;

/**
 * Per sample, by bisection over [lo, hi]: the smallest eps at which each attack succeeds and the largest eps each
 * relaxation or exact solver certifies. Every probe is an ordinary result line (so a killed search resumes from
 * its store); samples probed at the same eps go through the solver as one batch. The true robust radius lies in
 * [best certified eps, best attack eps]; a certified eps above an attack eps would be a bug, as with the bounds.
 */
public final class RadiusSearch {
    /** The lines of one solver at one eps for the given sample positions, computed or read back. */
    @FunctionalInterface
    public interface Prober {
        Map<Integer, ResultLine> probe(InnerSolver solver, double eps, List<Integer> positions);
    }

    /**
     * One sample's radii; {@code attack} is +infinity when no attack succeeded up to hi, {@code certified} 0 when
     * nothing was certified from lo on (0 is always sound), and both are 0 for a sample misclassified clean.
     */
    public record Radius(int sample, int label, boolean cleanCorrect, Map<String, Double> bySolver, double attack, String attackSolver,
                         double certified, String certifiedSolver) {}

    private RadiusSearch() {}

    public static List<Radius> run(List<InnerSolver> solvers, EpsSearch s, int[] ids, int[] labels, boolean[] clean, Prober prober) {
        Map<String, double[]> radii = new LinkedHashMap<>();
        for (InnerSolver solver : solvers) radii.put(solver.name(), search(solver, s, clean, prober));
        List<Radius> out = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            Map<String, Double> by = new LinkedHashMap<>();
            double attack = Double.POSITIVE_INFINITY, cert = 0;
            String aName = "", cName = "";
            for (InnerSolver solver : solvers) {
                double r = radii.get(solver.name())[i];
                by.put(solver.name(), r);
                if (solver.kind() == InnerSolver.Kind.LOWER && r < attack) {
                    attack = r;
                    aName = solver.name();
                } else if (solver.kind() != InnerSolver.Kind.LOWER && r > cert) {
                    cert = r;
                    cName = solver.name();
                }
            }
            if (!clean[i]) {
                attack = cert = 0;
                aName = cName = "clean";
            }
            out.add(new Radius(ids[i], labels[i], clean[i], by, attack, aName, cert, cName));
        }
        return out;
    }

    /** One solver's radius per sample position. */
    private static double[] search(InnerSolver solver, EpsSearch s, boolean[] clean, Prober prober) {
        boolean attack = solver.kind() == InnerSolver.Kind.LOWER;
        int n = clean.length;
        double[] lo = new double[n], hi = new double[n], radius = new double[n];
        List<Integer> open = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lo[i] = s.lo();
            hi[i] = s.hi();
            if (clean[i]) open.add(i);
        }
        // An attack first tries hi (no success there: radius beyond the range), a certificate lo (no proof there: 0).
        Map<Integer, Boolean> first = probe(prober, solver, attack ? s.hi() : s.lo(), open, attack);
        List<Integer> next = new ArrayList<>();
        for (int i : open) {
            if (attack && !first.get(i)) radius[i] = Double.POSITIVE_INFINITY;
            else if (!attack && !first.get(i)) radius[i] = 0;
            else next.add(i);
        }
        Map<Integer, Boolean> second = probe(prober, solver, attack ? s.lo() : s.hi(), next, attack);
        open = new ArrayList<>();
        for (int i : next) {
            if (second.get(i)) radius[i] = attack ? s.lo() : s.hi();
            else open.add(i);
        }
        for (int step = 0; step < s.steps() && !open.isEmpty(); step++) {
            Map<Double, List<Integer>> byEps = new TreeMap<>();
            for (int i : open) byEps.computeIfAbsent((lo[i] + hi[i]) / 2, e -> new ArrayList<>()).add(i);
            for (Map.Entry<Double, List<Integer>> e : byEps.entrySet()) {
                Map<Integer, Boolean> hit = probe(prober, solver, e.getKey(), e.getValue(), attack);
                for (int i : e.getValue()) {
                    // attack: success moves hi down; certificate: proof moves lo up. Both ends stay probed values.
                    if (hit.get(i) == attack) hi[i] = e.getKey();
                    else lo[i] = e.getKey();
                }
            }
        }
        for (int i : open) radius[i] = attack ? hi[i] : lo[i];
        return radius;
    }

    /** Whether each position's line at eps says attacked (attacks) or verified (certificates). */
    private static Map<Integer, Boolean> probe(Prober prober, InnerSolver solver, double eps, List<Integer> positions, boolean attack) {
        Map<Integer, Boolean> out = new TreeMap<>();
        if (positions.isEmpty()) return out;
        Map<Integer, ResultLine> lines = prober.probe(solver, eps, positions);
        for (int i : positions) out.put(i, lines.get(i).status().equals(attack ? "attacked" : "verified"));
        return out;
    }

    /** Samples whose best certified eps exceeds their best attack eps: each one a bug. */
    public static List<String> violations(List<Radius> radii) {
        List<String> out = new ArrayList<>();
        for (Radius r : radii)
            if (r.certified() > r.attack())
                out.add(String.format(Locale.ROOT, "sample %d: %s certifies eps %s but %s attacks at eps %s", r.sample(), r.certifiedSolver(),
                        r.certified(), r.attackSolver(), r.attack()));
        return out;
    }

    /** The median of the values (+infinity counts as the largest). */
    public static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    public static String csv(EpsSearch s, List<Radius> radii) {
        StringBuilder sb = new StringBuilder("sample,label,clean_correct");
        List<String> names = radii.isEmpty() ? List.of() : new ArrayList<>(radii.get(0).bySolver().keySet());
        for (String n : names) sb.append(',').append(n).append("_eps");
        sb.append(",attack_eps,attack_solver,certified_eps,certified_solver,range_lo,range_hi\n");
        for (Radius r : radii) {
            sb.append(r.sample()).append(',').append(r.label()).append(',').append(r.cleanCorrect());
            for (String n : names) sb.append(',').append(exact(r.bySolver().get(n)));
            sb.append(',').append(exact(r.attack())).append(',').append(r.attackSolver()).append(',').append(exact(r.certified()))
                    .append(',').append(r.certifiedSolver()).append(',').append(exact(s.lo())).append(',').append(exact(s.hi())).append('\n');
        }
        return sb.toString();
    }

    public static String markdown(String title, EpsSearch s, List<Radius> radii) {
        double[] a = radii.stream().mapToDouble(Radius::attack).toArray(), c = radii.stream().mapToDouble(Radius::certified).toArray();
        StringBuilder sb = new StringBuilder("# " + title + ": robust radius per sample\n\n");
        sb.append(String.format(Locale.ROOT, "Samples: %d. Bisection over eps in [%s, %s], %d halvings.%n%n", radii.size(), fmt(s.lo()), fmt(s.hi()), s.steps()));
        sb.append("| | median eps | samples with a value in range |\n|---|---|---|\n");
        sb.append(String.format(Locale.ROOT, "| best attack (smallest eps attacked) | %s | %d |%n", fmt(median(a)),
                Arrays.stream(a).filter(Double::isFinite).count()));
        sb.append(String.format(Locale.ROOT, "| best certificate (largest eps certified) | %s | %d |%n", fmt(median(c)),
                Arrays.stream(c).filter(v -> v > 0).count()));
        if (!radii.isEmpty())
            for (String name : radii.get(0).bySolver().keySet())
                sb.append(String.format(Locale.ROOT, "| %s | %s | |%n", name, fmt(median(radii.stream().mapToDouble(r -> r.bySolver().get(name)).toArray()))));
        sb.append("\nThe true robust radius of each sample lies between its certified eps and its attack eps; `inf`: no attack "
                + "succeeded up to the range's end. Misclassified samples count with radius 0.\n");
        List<String> bad = violations(radii);
        if (!bad.isEmpty()) {
            sb.append("\n## BUG: certified eps above attack eps (").append(bad.size()).append(")\n\n");
            for (String v : bad.subList(0, Math.min(50, bad.size()))) sb.append("- ").append(v).append('\n');
        }
        return sb.toString();
    }

    /** The value exactly as probed (the shortest decimal that reads back to the same double). */
    static String exact(double v) {
        if (Double.isInfinite(v)) return "inf";
        String t = Double.toString(v);
        return t.endsWith(".0") ? t.substring(0, t.length() - 2) : t;
    }

    static String fmt(double v) {
        if (Double.isInfinite(v)) return "inf";
        return String.format(Locale.ROOT, "%.6g", v).replaceFirst("(\\.\\d*?)0+$", "$1").replaceFirst("\\.$", "");
    }

    /** Writes radii.csv and radii.md into the run folder, each through a temporary file. */
    public static void write(Path dir, String title, EpsSearch s, List<Radius> radii) {
        try {
            for (String[] f : new String[][] {{"radii.csv", csv(s, radii)}, {"radii.md", markdown(title, s, radii)}}) {
                Path tmp = dir.resolve("." + f[0] + ".tmp");
                Files.writeString(tmp, f[1], StandardCharsets.UTF_8);
                Files.move(tmp, dir.resolve(f[0]), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
