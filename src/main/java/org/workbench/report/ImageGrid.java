package org.workbench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.workbench.data.Dataset;

/**
 * The tutorial's image grid, one figure per eps: a column per sample, rows for the clean input, the best attack's
 * witness and the perturbation magnified (50·δ + 0.5, clipped to [0, 1]); above each image the predicted class,
 * green when it is the true class and red when not; the true class heads the column. Needs the witnesses
 * (problem key {@code witnesses: true}) and the inputs, so the data split and the model come from the problem.
 */
public final class ImageGrid {
    static final int COLUMNS = 6;
    static final String NO_WITNESSES = "images: no witnesses in the results (problem key witnesses: true stores them), no figure written";
    private static final int LEFT_PT = 44, HEAD_PT = 10, LABEL_PT = 9, GAP_PT = 3;
    private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 7);
    /** Row labels, one or two lines each (the left margin holds about ten characters). */
    private static final String[][] ROWS = {{"clean"}, {"under", "attack"}, {"50·δ + 0.5"}};

    /** One column: a sample, its input, the attack's witness and what the network predicts on each. */
    record Panel(int sample, int label, double[] input, double[] witness, int cleanClass, int attackClass, String solver) {}

    private ImageGrid() {}

    /**
     * Writes {@code images-eps<eps>} for each eps whose lines carry witnesses.
     *
     * @param predict the network's predicted class for each input row
     */
    public static List<Path> write(Path dir, List<ResultLine> lines, Dataset data, Function<double[][], int[]> predict, PrintStream log) {
        Map<Double, List<Panel>> byEps = panels(lines, data, predict);
        if (byEps.isEmpty()) {
            log.println(NO_WITNESSES);
            return List.of();
        }
        List<Path> written = new ArrayList<>();
        for (Map.Entry<Double, List<Panel>> e : byEps.entrySet()) {
            String name = "images-eps" + Summary.fmt(e.getKey());
            List<Panel> p = e.getValue();
            int cell = cell();
            int height = HEAD_PT + ROWS.length * (LABEL_PT + cell + GAP_PT);
            Map<String, String> texts = new LinkedHashMap<>();
            texts.put(".csv", csv(e.getKey(), p));
            texts.put(".tex", "% " + name + ": images are not redrawn by PGFPlots; this places the vector PDF at column width.\n"
                    + "\\includegraphics[width=3.3in]{" + name + ".pdf}\n");
            written.addAll(FigureFiles.write(dir, name, (g, w, h) -> paint(g, p, w, rows(data), cols(data)), FigureFiles.COLUMN_PT, height, texts));
        }
        return written;
    }

    private static int rows(Dataset d) {
        return d.rows();
    }

    private static int cols(Dataset d) {
        return d.cols();
    }

    private static int cell() {
        return (FigureFiles.COLUMN_PT - LEFT_PT - 2) / COLUMNS - GAP_PT;
    }

    /** Per eps, the first samples (by id) with a witness, each with the witness of its strongest attack. */
    static Map<Double, List<Panel>> panels(List<ResultLine> lines, Dataset data, Function<double[][], int[]> predict) {
        Map<Double, Map<Integer, ResultLine>> best = new TreeMap<>();
        for (ResultLine r : lines) {
            if (r.witness() == null || !r.kind().equals("lower")) continue;
            Map<Integer, ResultLine> m = best.computeIfAbsent(r.eps(), e -> new TreeMap<>());
            ResultLine old = m.get(r.sample());
            if (old == null || r.worst() > old.worst()) m.put(r.sample(), r);
        }
        Map<Double, List<Panel>> out = new TreeMap<>();
        for (Map.Entry<Double, Map<Integer, ResultLine>> e : best.entrySet()) {
            List<ResultLine> chosen = e.getValue().values().stream().limit(COLUMNS).toList();
            double[][] inputs = new double[chosen.size()][];
            for (int i = 0; i < inputs.length; i++) inputs[i] = data.image(chosen.get(i).sample());
            int[] clean = predict.apply(inputs);
            List<Panel> panels = new ArrayList<>();
            for (int i = 0; i < inputs.length; i++) {
                ResultLine r = chosen.get(i);
                double[] w = decode(r.witness());
                int attackClass = r.witnessClass() != null ? r.witnessClass() : predict.apply(new double[][] {w})[0];
                panels.add(new Panel(r.sample(), r.label(), inputs[i], w, clean[i], attackClass, r.solver()));
            }
            out.put(e.getKey(), panels);
        }
        return out;
    }

    /** A witness as stored: base64 of little-endian float64 values. */
    static double[] decode(String base64) {
        ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN);
        double[] w = new double[b.remaining() / 8];
        for (int i = 0; i < w.length; i++) w[i] = b.getDouble();
        return w;
    }

    private static void paint(Graphics2D g, List<Panel> panels, int width, int rows, int cols) {
        g.setColor(Color.WHITE);
        g.fill(new Rectangle2D.Double(0, 0, width, HEAD_PT + ROWS.length * (LABEL_PT + cell() + GAP_PT)));
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.setFont(FONT);
        FontMetrics fm = g.getFontMetrics();
        int cell = cell();
        for (int r = 0; r < ROWS.length; r++) {
            double top = HEAD_PT + r * (LABEL_PT + cell + GAP_PT) + LABEL_PT;
            g.setColor(Color.BLACK);
            String[] text = ROWS[r];
            double first = top + cell / 2.0 + fm.getAscent() / 2.0 - 1 - (text.length - 1) * fm.getHeight() / 2.0;
            for (int k = 0; k < text.length; k++) g.drawString(text[k], 2f, (float) (first + k * fm.getHeight()));
        }
        for (int c = 0; c < panels.size(); c++) {
            Panel p = panels.get(c);
            double x = LEFT_PT + c * (cell + GAP_PT);
            g.setColor(Color.BLACK);
            String head = "y = " + p.label();
            g.drawString(head, (float) (x + (cell - fm.stringWidth(head)) / 2.0), (float) (HEAD_PT - 2));
            double[] delta = new double[p.input().length];
            for (int k = 0; k < delta.length; k++) delta[k] = Math.max(0, Math.min(1, 50 * (p.witness()[k] - p.input()[k]) + 0.5));
            double[][] images = {p.input(), p.witness(), delta};
            int[] predicted = {p.cleanClass(), p.attackClass(), -1};
            for (int r = 0; r < ROWS.length; r++) {
                double top = HEAD_PT + r * (LABEL_PT + cell + GAP_PT);
                if (predicted[r] >= 0) {
                    g.setColor(Palette.color(predicted[r] == p.label() ? Palette.GREEN : Palette.VERMILLION));
                    String s = Integer.toString(predicted[r]);
                    g.drawString(s, (float) (x + (cell - fm.stringWidth(s)) / 2.0), (float) (top + LABEL_PT - 2));
                }
                g.drawImage(gray(images[r], rows, cols), (int) x, (int) (top + LABEL_PT), cell, cell, null);
                g.setColor(Color.GRAY);
                g.setStroke(new BasicStroke(0.3f));
                g.draw(new Rectangle2D.Double(x, top + LABEL_PT, cell, cell));
            }
        }
    }

    private static BufferedImage gray(double[] v, int rows, int cols) {
        BufferedImage img = new BufferedImage(cols, rows, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) {
                int g = (int) Math.round(255 * Math.max(0, Math.min(1, v[i * cols + j])));
                img.setRGB(j, i, (g << 16) | (g << 8) | g);
            }
        return img;
    }

    /** One row per image drawn: which sample, panel, true and predicted class. */
    static String csv(double eps, List<Panel> panels) {
        StringBuilder sb = new StringBuilder("eps,sample,panel,true_class,predicted_class,solver\n");
        for (Panel p : panels) {
            sb.append(String.format(Locale.ROOT, "%s,%d,clean,%d,%d,%n", Summary.fmt(eps), p.sample(), p.label(), p.cleanClass()));
            sb.append(String.format(Locale.ROOT, "%s,%d,attack,%d,%d,%s%n", Summary.fmt(eps), p.sample(), p.label(), p.attackClass(), p.solver()));
            sb.append(String.format(Locale.ROOT, "%s,%d,perturbation x50,%d,,%s%n", Summary.fmt(eps), p.sample(), p.label(), p.solver()));
        }
        return sb.toString();
    }
}
