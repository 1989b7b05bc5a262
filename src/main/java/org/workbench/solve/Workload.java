package org.workbench.solve;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.workbench.config.InputError;
import org.workbench.data.Dataset;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.problem.ModelSpec;
import org.workbench.problem.Problem;
import org.workbench.problem.SolverSpec;
import org.workbench.report.ResultLine;
import org.workbench.report.ResultsStore;
import org.workbench.report.Summary;

/**
 * One model of a problem made ready to solve: model and data loaded and checked against each other, every solver built
 * with the fingerprint of what its lines depend on. A unit of work is one solver at one eps on some of the samples; the
 * local runner and Spark's executors both turn units into result lines here, so the lines are the same either way. A
 * problem naming several models has one workload per model ({@link Workloads}).
 */
public final class Workload implements AutoCloseable {
    private final Problem problem;
    private final ModelSpec model;
    private final int[] ids;
    private final double[][] inputs;
    private final int[] labels;
    private final SolverContext ctx;
    private final List<InnerSolver> solvers = new ArrayList<>();
    private final Map<String, String> setups = new LinkedHashMap<>();
    private boolean[] cleanCorrect;

    private Workload(Problem problem, ModelSpec model, Network net, int[] ids, double[][] inputs, int[] labels) {
        this.problem = problem;
        this.model = model;
        this.ids = ids;
        this.inputs = inputs;
        this.labels = labels;
        this.ctx = new SolverContext(net, problem.threat(), problem.objective(), problem.device());
        try {
            for (SolverSpec s : problem.solvers()) {
                solvers.add(Solvers.create(s, ctx));
                setups.put(s.name(), fingerprint(s, net));
            }
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    /** Loads and checks everything a run on one of the problem's models needs; writes nothing. */
    public static Workload open(Problem problem, ModelSpec model) {
        Network net = ModelFiles.load(model.file());
        if (problem.solvers().stream().anyMatch(s -> !Solvers.isAttack(s.type()))) ModelFiles.requireBoundRules(net, model.file());
        Dataset data = problem.data().load();
        int d = data.rows() * data.cols();
        if (net.inputSize() != d)
            throw InputError.at(problem.file(), 0, model.name() == null ? "model" : "models",
                    (model.name() == null ? "" : model.file() + ": ") + "the network takes " + net.inputSize()
                    + " inputs (" + Arrays.toString(net.inputShape()) + ") but the data has " + data.rows() + "x" + data.cols());
        int[] ids = problem.data().samples() != null ? problem.data().samples() : IntStream.range(0, data.size()).toArray();
        for (int id : ids)
            if (id >= data.size())
                throw InputError.at(problem.file(), 0, "data.samples", "sample " + id + " is outside the " + data.size() + " samples of the split");
        double[][] inputs = new double[ids.length][];
        int[] labels = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            inputs[i] = data.image(ids[i]);
            labels[i] = data.labels()[ids[i]];
        }
        return new Workload(problem, model, net, ids, inputs, labels);
    }

    public Problem problem() {
        return problem;
    }

    /** The model's name in the lines (null for a problem's single {@code model:}). */
    public String model() {
        return model.name();
    }

    /** What this workload's progress lines start with: the model's name where the problem names several. */
    public String prefix() {
        return model.name() == null ? "" : model.name() + ": ";
    }

    /** This model's part of the summary: its name, its solvers' setups and its clean count. */
    public Summary.Model summaryModel() {
        return new Summary.Model(model.name(), setups, cleanCount());
    }

    public int samples() {
        return ids.length;
    }

    public List<InnerSolver> solvers() {
        return solvers;
    }

    /** Solver name to the fingerprint its stored lines carry. */
    public Map<String, String> setups() {
        return setups;
    }

    /** Positions (into the problem's samples) of the lines of solver s at eps that the store does not hold yet. */
    public int[] todo(ResultsStore store, int s, double eps) {
        String name = solvers.get(s).name(), setup = setups.get(name);
        return IntStream.range(0, ids.length).filter(i -> !store.has(model.name(), ids[i], eps, name, setup)).toArray();
    }

    /** The sample ids (indices into the split), in position order. */
    public int[] ids() {
        return ids;
    }

    /** The samples' labels, in position order. */
    public int[] labels() {
        return labels;
    }

    /** Per position, whether the network classifies the sample correctly (computed once: the summary asks again). */
    public synchronized boolean[] cleanCorrect() {
        if (cleanCorrect != null) return cleanCorrect.clone();
        boolean[] correct = new boolean[inputs.length];
        for (int start = 0; start < inputs.length; start += 1024) {
            double[][] part = Arrays.copyOfRange(inputs, start, Math.min(inputs.length, start + 1024));
            double[][] z = ctx.float64().logits(part);
            for (int i = 0; i < part.length; i++) correct[start + i] = argmax(z[i]) == labels[start + i];
        }
        cleanCorrect = correct;
        return correct.clone();
    }

    /** How many samples the network classifies correctly. */
    public int cleanCount() {
        int n = 0;
        for (boolean b : cleanCorrect()) if (b) n++;
        return n;
    }

    /**
     * One unit: solver s at eps on the samples at the given positions, as result lines in position order. Why a bound
     * was replaced by a non-finite guard goes to {@code notes}.
     */
    public List<ResultLine> solve(int s, double eps, int[] positions, List<String> notes) {
        InnerSolver solver = solvers.get(s);
        String setup = setups.get(solver.name());
        int[] bIds = new int[positions.length], bLabels = new int[positions.length];
        double[][] bIn = new double[positions.length][];
        for (int k = 0; k < positions.length; k++) {
            bIds[k] = ids[positions[k]];
            bIn[k] = inputs[positions[k]];
            bLabels[k] = labels[positions[k]];
        }
        List<Bound> bounds = solver.solve(new Batch(bIds, bIn, bLabels), eps);
        List<ResultLine> out = new ArrayList<>();
        for (int k = 0; k < positions.length; k++) {
            NonFinite.Guarded g = NonFinite.guard(bounds.get(k), solver.kind(), bLabels[k]);
            if (g.reason() != null) notes.add(prefix() + "eps " + eps + " " + solver.name() + ": sample " + bIds[k] + ": " + g.reason());
            out.add(line(solver, setup, eps, bIds[k], bLabels[k], bIn[k], g.bound()));
        }
        return out;
    }

    private ResultLine line(InnerSolver solver, String setup, double eps, int id, int label, double[] x, Bound b) {
        Integer wClass = null;
        Double wDist = null;
        String wText = null;
        if (b.witness() != null) {
            wClass = argmax(ctx.float64().logits(new double[][] {b.witness()})[0]);
            wDist = ctx.threat().distance(x, b.witness());
            if (problem.saveWitnesses()) wText = encode(b.witness());
        }
        return new ResultLine(model.name(), id, label, eps, solver.name(), solver.kind().key(), b.margins(), b.status(), b.seconds(),
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
                    + (problem.data().classes() == null ? "" : "|classes " + Arrays.toString(problem.data().classes())) + "|" + problem.threat().norm()
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

    @Override
    public void close() {
        ctx.close();
    }
}
