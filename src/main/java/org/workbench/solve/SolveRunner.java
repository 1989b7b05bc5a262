package org.workbench.solve;

import java.io.IOException;
import java.io.PrintStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.workbench.config.InputError;
import org.workbench.data.Dataset;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.problem.Problem;
import org.workbench.problem.SolverSpec;
import org.workbench.report.ResultLine;
import org.workbench.report.ResultsStore;
import org.workbench.report.Summary;

/**
 * Runs every solver of a problem on every sample and eps, appending to the results store and skipping
 * what a previous run already finished; then writes the summary and checks lower <= upper everywhere.
 */
public final class SolveRunner {
    private final Problem problem;
    private final PrintStream log;

    public SolveRunner(Problem problem, PrintStream log) {
        this.problem = problem;
        this.log = log;
    }

    /** Everything is loaded and every solver built before the results folder is created. */
    public Summary run() throws IOException {
        Network net = ModelFiles.load(problem.model());
        Dataset data = problem.data().load();
        int d = data.rows() * data.cols();
        if (net.inputSize() != d)
            throw InputError.at(problem.file(), 0, "model", "the network takes " + net.inputSize()
                    + " inputs (" + Arrays.toString(net.inputShape()) + ") but the data has " + data.rows() + "x" + data.cols());
        int[] ids = problem.data().samples() != null ? problem.data().samples() : java.util.stream.IntStream.range(0, data.size()).toArray();
        for (int id : ids)
            if (id >= data.size())
                throw InputError.at(problem.file(), 0, "data.samples", "sample " + id + " is outside the " + data.size() + " samples of the split");
        try (SolverContext ctx = new SolverContext(net, problem.threat(), problem.objective(), problem.device())) {
            List<InnerSolver> solvers = new ArrayList<>();
            Map<String, String> setups = new LinkedHashMap<>();
            for (SolverSpec s : problem.solvers()) {
                solvers.add(Solvers.create(s, ctx));
                setups.put(s.name(), fingerprint(s, net));
            }
            double[][] inputs = new double[ids.length][];
            int[] labels = new int[ids.length];
            for (int i = 0; i < ids.length; i++) {
                inputs[i] = data.image(ids[i]);
                labels[i] = data.labels()[ids[i]];
            }
            int clean = cleanCorrect(ctx, inputs, labels);
            try (ResultsStore store = ResultsStore.open(problem.output())) {
                for (double eps : problem.threat().eps())
                    for (int s = 0; s < solvers.size(); s++)
                        runOne(solvers.get(s), setups.get(solvers.get(s).name()), eps, ids, inputs, labels, store, ctx);
                Summary summary = Summary.of(store.lines(), setups, ids.length, clean);
                summary.write(problem.output(), "Problem " + problem.name());
                return summary;
            }
        }
    }

    private int cleanCorrect(SolverContext ctx, double[][] inputs, int[] labels) {
        int correct = 0;
        for (int start = 0; start < inputs.length; start += 1024) {
            double[][] part = Arrays.copyOfRange(inputs, start, Math.min(inputs.length, start + 1024));
            double[][] z = ctx.float64().logits(part);
            for (int i = 0; i < part.length; i++) if (argmax(z[i]) == labels[start + i]) correct++;
        }
        return correct;
    }

    private void runOne(InnerSolver solver, String setup, double eps, int[] ids, double[][] inputs, int[] labels,
                        ResultsStore store, SolverContext ctx) {
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) if (!store.has(ids[i], eps, solver.name(), setup)) todo.add(i);
        if (todo.isEmpty()) {
            log.printf("eps %s %s: all %d samples already in %s%n", eps, solver.name(), ids.length, store.file());
            return;
        }
        long start = System.nanoTime(), lastPrint = 0;
        int done = 0;
        for (int from = 0; from < todo.size(); from += problem.batch()) {
            List<Integer> part = todo.subList(from, Math.min(todo.size(), from + problem.batch()));
            int[] bIds = new int[part.size()], bLabels = new int[part.size()];
            double[][] bIn = new double[part.size()][];
            for (int k = 0; k < part.size(); k++) {
                bIds[k] = ids[part.get(k)];
                bIn[k] = inputs[part.get(k)];
                bLabels[k] = labels[part.get(k)];
            }
            List<Bound> bounds = solver.solve(new Batch(bIds, bIn, bLabels), eps);
            for (int k = 0; k < part.size(); k++) {
                NonFinite.Guarded g = NonFinite.guard(bounds.get(k), solver.kind(), bLabels[k]);
                if (g.reason() != null) log.printf("eps %s %s: sample %d: %s%n", eps, solver.name(), bIds[k], g.reason());
                store.append(line(solver, setup, eps, bIds[k], bLabels[k], bIn[k], g.bound(), ctx));
            }
            done += part.size();
            long now = System.nanoTime();
            if (now - lastPrint > 2e9 || done == todo.size()) {
                double el = (now - start) / 1e9;
                log.printf("eps %s %s: %d/%d samples, %.1f s, about %.0f s left%n", eps, solver.name(), done, todo.size(),
                        el, el / done * (todo.size() - done));
                lastPrint = now;
            }
        }
    }

    private ResultLine line(InnerSolver solver, String setup, double eps, int id, int label, double[] x, Bound b, SolverContext ctx) {
        Integer wClass = null;
        Double wDist = null;
        String wText = null;
        if (b.witness() != null) {
            wClass = argmax(ctx.float64().logits(new double[][] {b.witness()})[0]);
            wDist = ctx.threat().distance(x, b.witness());
            if (problem.saveWitnesses()) wText = encode(b.witness());
        }
        return new ResultLine(id, label, eps, solver.name(), solver.kind().key(), b.margins(), b.status(), b.seconds(),
                wClass, wDist, wText, setup, b.lowerMargins());
    }

    /** The witness as base64 of little-endian float64 values, exact and compact. */
    static String encode(double[] w) {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(w.length * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (double v : w) buf.putDouble(v);
        return Base64.getEncoder().encodeToString(buf.array());
    }

    /** Model bytes, data, threat, objective and solver settings: what a stored line depends on. */
    private String fingerprint(SolverSpec s, Network net) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(8);
            for (org.workbench.net.Layer l : net.layers()) {
                md.update(l.type().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                for (org.workbench.net.Layer.Param p : l.params())
                    for (double v : p.values()) md.update(buf.clear().putDouble(v).array());
            }
            String text = problem.data().dir().toAbsolutePath().normalize() + "|" + problem.data().split()
                    + (problem.data().classes() == null ? "" : "|classes " + java.util.Arrays.toString(problem.data().classes())) + "|" + problem.threat().norm()
                    + "|" + problem.threat().clip() + "|" + problem.threat().lo() + "|" + problem.threat().hi() + "|"
                    + problem.objective() + "|" + s.type() + "|" + s.config();
            md.update(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest()).substring(0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static int argmax(double[] z) {
        int best = 0;
        for (int j = 1; j < z.length; j++) if (z[j] > z[best]) best = j;
        return best;
    }
}
