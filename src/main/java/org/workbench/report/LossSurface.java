package org.workbench.report;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.workbench.config.InputError;
import org.workbench.data.Dataset;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.net.TorchNet;
import org.workbench.problem.LossSurfaceSpec;
import org.workbench.problem.Problem;
import org.workbench.problem.Threat;

/**
 * The cross-entropy loss around one input (the tutorial's chapter 4): over x + a·sign(∇x loss(x)) + b·r with r a
 * random sign vector, clipped to the domain box when the threat clips, for a and b on a lattice in [-range, range].
 * A standard network's loss climbs steeply along the gradient sign; a robust one's stays flat.
 */
public final class LossSurface {
    /** The lattice: {@code loss[j][i]} at step {@code a[i]} along the gradient sign and {@code b[j]} along r. */
    public record Grid(int sample, int label, double[] a, double[] b, double[][] loss) {}

    private LossSurface() {}

    /** Checks the problem's loss_surface sample against its data (before a run, so a bad index costs nothing). */
    public static void check(Problem p, Dataset data) {
        LossSurfaceSpec s = p.lossSurface();
        if (s != null && s.sample() >= data.size())
            throw InputError.at(p.file(), 0, "loss_surface.sample", "sample " + s.sample() + " is outside the " + data.size() + " samples of the split");
    }

    public static Grid compute(Network network, Dataset data, LossSurfaceSpec s, Threat threat) {
        double[] x = data.image(s.sample());
        int y = data.labels()[s.sample()];
        double[] g;
        List<double[]> points = new java.util.ArrayList<>();
        double[] a = lattice(s), b = lattice(s);
        double[] r = new double[x.length];
        Random rnd = new Random(s.seed());
        for (int k = 0; k < r.length; k++) r[k] = rnd.nextBoolean() ? 1 : -1;
        double[][] z;
        try (NDManager m = NDManager.newBaseManager(); TorchNet net = new TorchNet(network, m, DataType.FLOAT64)) {
            int classes = network.numClasses();
            double[] hot = new double[classes];
            hot[y] = 1;
            try (NDManager sub = m.newSubManager()) {
                NDArray xa = sub.create(x, net.batchShape(1));
                NDArray oneHot = sub.create(hot).reshape(1, classes);
                g = net.inputGradient(xa, logits -> logits.logSoftmax(1).mul(oneHot).sum().neg(), false).gradient().toDoubleArray();
            }
            for (double bj : b)
                for (double ai : a) {
                    double[] p = new double[x.length];
                    for (int k = 0; k < p.length; k++) {
                        double v = x[k] + ai * Math.signum(g[k]) + bj * r[k];
                        p[k] = threat.clip() ? Math.max(threat.lo(), Math.min(threat.hi(), v)) : v;
                    }
                    points.add(p);
                }
            z = new double[points.size()][];
            for (int from = 0; from < points.size(); from += 512) {
                double[][] part = net.logits(points.subList(from, Math.min(points.size(), from + 512)).toArray(double[][]::new));
                System.arraycopy(part, 0, z, from, part.length);
            }
        }
        double[][] loss = new double[b.length][a.length];
        for (int j = 0; j < b.length; j++)
            for (int i = 0; i < a.length; i++) loss[j][i] = crossEntropy(z[j * a.length + i], y);
        return new Grid(s.sample(), y, a, b, loss);
    }

    private static double[] lattice(LossSurfaceSpec s) {
        double[] v = new double[s.grid()];
        // Rounded to 12 digits, so the steps read as written (0.04, not 0.040000000000000036); these are the steps used.
        for (int i = 0; i < v.length; i++) v[i] = Double.parseDouble(String.format(Locale.ROOT, "%.12g", -s.range() + 2 * s.range() * i / (s.grid() - 1)));
        return v;
    }

    /** log Σ exp z − z_y, computed stably in float64. */
    static double crossEntropy(double[] z, int y) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) max = Math.max(max, v);
        double sum = 0;
        for (double v : z) sum += Math.exp(v - max);
        return max + Math.log(sum) - z[y];
    }

    /**
     * Computes the problem's loss surface and writes {@code loss-surface-sample<k>} into the run's figures folder, for
     * each of its models into that model's folder ({@link Report#figuresDir}).
     */
    public static List<Path> write(Problem p, Path runDir, PrintStream log) {
        if (p.lossSurface() == null) return List.of();
        Dataset data = p.data().load();
        check(p, data);
        List<Path> written = new java.util.ArrayList<>();
        for (org.workbench.problem.ModelSpec model : p.models()) {
            Grid grid = compute(ModelFiles.load(model.file()), data, p.lossSurface(), p.threat());
            String name = "loss-surface-sample" + grid.sample();
            HeatMap map = new HeatMap(grid, "a: step along the loss gradient's sign", "b: step along a random sign", "cross-entropy loss (nats)");
            Map<String, String> texts = new LinkedHashMap<>();
            texts.put(".csv", csv(grid));
            texts.put(".tex", tex(grid));
            written.addAll(FigureFiles.write(Report.figuresDir(runDir, model.name()), name, map, FigureFiles.COLUMN_PT, HeatMap.HEIGHT_PT, texts));
        }
        return written;
    }

    /** One row per lattice point (cell) drawn. */
    static String csv(Grid g) {
        StringBuilder sb = new StringBuilder("a,b,loss\n");
        for (int j = 0; j < g.b().length; j++)
            for (int i = 0; i < g.a().length; i++)
                sb.append(XyFigure.num(g.a()[i])).append(',').append(XyFigure.num(g.b()[j])).append(',')
                        .append(String.format(Locale.ROOT, "%.6g", g.loss()[j][i])).append('\n');
        return sb.toString();
    }

    static String tex(Grid g) {
        StringBuilder sb = new StringBuilder("% loss surface of sample " + g.sample() + " (true class " + g.label() + "): the heat map in the "
                + "document's fonts.\n% Needs \\usepackage{pgfplots} (compat 1.16 for viridis). Contour lines need gnuplot: add\n"
                + "% \\addplot3[contour gnuplot={number=6, labels=false}, draw=black] table[x=a, y=b, z=loss] {...}; with -shell-escape.\n");
        sb.append("\\begin{tikzpicture}\n\\begin{axis}[width=2.6in, height=2.6in, colormap name=viridis, colorbar, enlargelimits=false,\n");
        sb.append("  xlabel={$a$: step along sign($\\nabla_x$ loss)}, ylabel={$b$: step along a random sign},\n");
        sb.append("  colorbar style={ylabel={cross-entropy loss (nats)}}, tick label style={font=\\scriptsize}, label style={font=\\small}]\n");
        sb.append("\\addplot[matrix plot*, mesh/cols=").append(g.a().length).append(", point meta=explicit] table[x=a, y=b, meta=loss, row sep=\\\\] {\n");
        sb.append("a b loss\\\\\n");
        for (int j = 0; j < g.b().length; j++)
            for (int i = 0; i < g.a().length; i++)
                sb.append(XyFigure.num(g.a()[i])).append(' ').append(XyFigure.num(g.b()[j])).append(' ')
                        .append(String.format(Locale.ROOT, "%.6g", g.loss()[j][i])).append("\\\\\n");
        sb.append("};\n\\end{axis}\n\\end{tikzpicture}\n");
        return sb.toString();
    }
}
