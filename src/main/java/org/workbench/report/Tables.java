package org.workbench.report;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The accuracy table (one row per eps; clean, each solver, best attack, best certificate) as CSV, Markdown and
 * a LaTeX booktabs tabular, all three from the same cells.
 */
public final class Tables {
    private Tables() {}

    /** Header and rows of cells (accuracy in percent, one decimal; empty where a solver did not run). */
    record Table(List<String> header, List<List<String>> rows) {}

    static Table accuracy(List<ResultLine> lines, List<Bounds> bounds, double clean) {
        Map<String, String> solvers = Bounds.solvers(lines);
        List<String> header = new ArrayList<>(List.of("eps", "samples", "clean"));
        for (Map.Entry<String, String> s : solvers.entrySet()) header.add(s.getKey() + " (" + s.getValue() + ")");
        header.add("best attack");
        header.add("best certificate");
        List<List<String>> rows = new ArrayList<>();
        for (double eps : Bounds.epsValues(lines)) {
            List<String> row = new ArrayList<>();
            int n = 0, attacked = 0, verified = 0;
            for (Bounds b : bounds) {
                if (b.eps() != eps) continue;
                n++;
                if (b.status().equals("attacked")) attacked++;
                if (b.status().equals("verified")) verified++;
            }
            row.add(Summary.fmt(eps));
            row.add(Integer.toString(n));
            row.add(Double.isNaN(clean) ? "" : pct(clean));
            for (Map.Entry<String, String> s : solvers.entrySet()) {
                int m = 0, hit = 0;
                for (ResultLine r : lines) {
                    if (!r.solver().equals(s.getKey()) || r.eps() != eps) continue;
                    m++;
                    if (s.getValue().equals("lower") ? !r.status().equals("attacked") : r.status().equals("verified")) hit++;
                }
                row.add(m == 0 ? "" : pct((double) hit / m));
            }
            row.add(pct((double) (n - attacked) / n));
            row.add(pct((double) verified / n));
            rows.add(row);
        }
        return new Table(header, rows);
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f", 100 * v);
    }

    static String csv(Table t) {
        StringBuilder sb = new StringBuilder(String.join(",", t.header().stream().map(XyFigure::csvField).toList())).append('\n');
        for (List<String> r : t.rows()) sb.append(String.join(",", r)).append('\n');
        return sb.toString();
    }

    static String markdown(Table t) {
        StringBuilder sb = new StringBuilder("| ").append(String.join(" | ", t.header())).append(" |\n|");
        for (int i = 0; i < t.header().size(); i++) sb.append(i < 2 ? "---|" : "---:|");
        sb.append('\n');
        for (List<String> r : t.rows()) sb.append("| ").append(String.join(" | ", r)).append(" |\n");
        sb.append("\nAccuracy in percent over the samples: attacks count the samples they did not attack, certificates and exact "
                + "solvers the samples they verified; best attack and best certificate combine all solvers per sample.\n");
        return sb.toString();
    }

    static String latex(Table t) {
        StringBuilder sb = new StringBuilder("% Needs \\usepackage{booktabs}. Accuracy in percent.\n\\begin{tabular}{");
        sb.append("r".repeat(t.header().size())).append("}\n\\toprule\n");
        List<String> head = new ArrayList<>();
        for (String h : t.header()) head.add(h.equals("eps") ? "$\\varepsilon$" : XyFigure.texText(h));
        sb.append(String.join(" & ", head)).append(" \\\\\n\\midrule\n");
        for (List<String> r : t.rows()) sb.append(String.join(" & ", r)).append(" \\\\\n");
        sb.append("\\bottomrule\n\\end{tabular}\n");
        return sb.toString();
    }

    /** The three files of a table, by path. */
    static Map<Path, byte[]> files(Path dir, String name, Table t) {
        Map<Path, byte[]> m = new LinkedHashMap<>();
        m.put(dir.resolve(name + ".csv"), csv(t).getBytes(StandardCharsets.UTF_8));
        m.put(dir.resolve(name + ".md"), markdown(t).getBytes(StandardCharsets.UTF_8));
        m.put(dir.resolve(name + ".tex"), latex(t).getBytes(StandardCharsets.UTF_8));
        return m;
    }
}
