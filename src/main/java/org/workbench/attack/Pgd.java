package org.workbench.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.workbench.net.TorchNet;
import org.workbench.problem.Norm;
import org.workbench.problem.Objective;
import org.workbench.problem.Threat;
import org.workbench.solve.Batch;
import org.workbench.solve.Bound;
import org.workbench.solve.InnerSolver;
import org.workbench.solve.SolverContext;

/**
 * Projected gradient ascent on the attack objective over the threat set (l-inf: sign steps; l2: normalized
 * steps, exact projection onto ball ∩ box). Keeps, per sample, the iterate with the largest margin, over all
 * steps and restarts; FGSM is this with one step of size eps.
 */
public final class Pgd implements InnerSolver {

    /** Step settings; {@code stepSize} is absolute when > 0, else {@code stepOverEps} times eps. */
    public record Settings(Norm norm, int steps, double stepSize, double stepOverEps, int restarts, boolean randomStart,
                           boolean fullFirstStep, Objective objective, boolean allTargets, long seed) {}

    private final String name;
    private final SolverContext ctx;
    private final Settings s;

    public Pgd(String name, SolverContext ctx, Settings settings) {
        this.name = name;
        this.ctx = ctx;
        this.s = settings;
    }

    /** The same attack drawing its random starts from another seed (training varies it per batch). */
    public Pgd reseeded(long seed) {
        return new Pgd(name, ctx, new Settings(s.norm(), s.steps(), s.stepSize(), s.stepOverEps(), s.restarts(), s.randomStart(),
                s.fullFirstStep(), s.objective(), s.allTargets(), seed));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Kind kind() {
        return Kind.LOWER;
    }

    @Override
    public List<Bound> solve(Batch batch, double eps) {
        long start = System.nanoTime();
        List<double[][]> candidates = candidates(batch, eps);
        double seconds = (System.nanoTime() - start) / 1e9;
        return Witnesses.check(ctx.float64(), ctx.threat(), batch, eps, candidates, seconds);
    }

    /**
     * The float32 search alone, before the float64 re-check: per restart (and target) the best and the last
     * iterate, one row per sample. Public so that benchmarks can time the search without the re-check.
     */
    public List<double[][]> candidates(Batch batch, double eps) {
        TorchNet net = ctx.float32();
        int b = batch.size(), classes = ctx.network().numClasses();
        List<double[][]> candidates = new ArrayList<>();
        java.util.Set<Integer> stalled = new java.util.TreeSet<>();
        try (NDManager m = net.manager().newSubManager()) {
            Shape shape = net.batchShape(b);
            NDArray x0 = m.create(floats(batch.inputs()), shape);
            NDArray[] box = box(m, batch, eps, shape);
            NDArray trueHot = m.create(batch.labels()).oneHot(classes).toType(DataType.FLOAT32, false);
            List<Integer> targets = targets(classes);
            for (int target : targets) {
                NDArray targetHot = target < 0 ? null : m.full(new Shape(b), target).oneHot(classes).toType(DataType.FLOAT32, false);
                NDArray cleanProbs = s.objective().type() == Objective.Type.KL ? net.evaluate(x0).softmax(1) : null;
                Function<NDArray, NDArray> loss = AttackLoss.of(s.objective().type(), trueHot, targetHot, cleanProbs);
                for (int r = 0; r < s.restarts(); r++) run(net, m, x0, box, batch.labels(), loss, eps, r, candidates, stalled);
            }
        }
        if (!stalled.isEmpty()) {
            List<Integer> ids = new ArrayList<>();
            for (int i : stalled) ids.add(batch.ids()[i]);
            System.err.println(name + ": input gradient not finite (NaN or infinite) for samples " + ids
                    + "; they stopped moving there and keep the best checked point before it");
        }
        return candidates;
    }

    private List<Integer> targets(int classes) {
        List<Integer> t = new ArrayList<>();
        if (s.allTargets()) for (int j = 0; j < classes; j++) t.add(j);
        else t.add(s.objective().type() == Objective.Type.TARGETED ? s.objective().target() : -1);
        return t;
    }

    /**
     * One restart: adds its best and its last iterate to the candidates. Each native call costs microseconds
     * of JNI and bookkeeping while the tensors here are small, so a step is kept to few calls: the margins are
     * scored in Java from the logits (one copy of B x C floats), and the best iterates are kept as references
     * to the iterates themselves instead of being merged into one tensor every step.
     */
    private void run(TorchNet net, NDManager m, NDArray x0, NDArray[] box, int[] labels,
                     Function<NDArray, NDArray> loss, double eps, int restart, List<double[][]> candidates,
                     java.util.Set<Integer> stalled) {
        double alpha = s.stepSize() > 0 ? s.stepSize() : s.stepOverEps() * eps;
        NDArray x = s.randomStart() ? project(randomStart(m, x0, eps, restart), x0, box, eps) : x0.duplicate();
        float[] bestScore = new float[labels.length];
        java.util.Arrays.fill(bestScore, Float.NEGATIVE_INFINITY);
        boolean[] better = new boolean[labels.length];
        // Step sizes as tensors made once: a Java number becomes a new scalar tensor, and its release, per op.
        NDArray alphaT = m.create((float) alpha), epsT = m.create((float) eps);
        try (BestIterates best = new BestIterates(x)) {
            for (int t = 0; t <= s.steps(); t++) {
                try (NDManager sm = m.newSubManager()) {
                    x.attach(sm);
                    TorchNet.Grad g = t < s.steps() ? net.inputGradient(x, loss, false) : null;
                    if (g != null && g.nonFinite() != null)
                        for (int i = 0; i < labels.length; i++) if (g.nonFinite()[i]) stalled.add(i);
                    NDArray logits = g != null ? g.logits() : net.evaluate(x);
                    if (AttackLoss.improve(logits.toFloatArray(), labels, bestScore, better)) best.take(x, better);
                    NDArray next = x;
                    if (g != null) {
                        next = project(step(x, g.gradient(), t == 0 && s.fullFirstStep() ? epsT : alphaT), x0, box, eps);
                    }
                    // Iterates still some sample's best outlive the step; results of ops on x were made on sm.
                    if (best.holds(x)) x.attach(m);
                    next.attach(m);
                    x = next;
                }
            }
            double[][] last = rows(x);
            candidates.add(best.rows());
            candidates.add(last);
            if (!best.holds(x)) x.close();
        }
    }

    /**
     * Per sample, which iterate scored best so far. The iterates themselves are kept (at most {@code SLOTS},
     * refcounted by the samples pointing at them) rather than merged with a three-input where over the whole
     * batch at every step; when more would be needed, the oldest one's rows are copied out to Java first.
     */
    private static final class BestIterates implements AutoCloseable {
        private static final int SLOTS = 8;
        private final NDArray[] slot = new NDArray[SLOTS];
        private final int[] refs = new int[SLOTS];
        private final long[] age = new long[SLOTS];
        private final int[] owner; // slot of each sample's best, or -1 once its row is in copied
        private final float[][] copied;
        private final int b;
        private long clock;

        BestIterates(NDArray start) {
            b = (int) start.getShape().get(0);
            owner = new int[b];
            copied = new float[b][];
            slot[0] = start;
            refs[0] = b;
        }

        boolean holds(NDArray x) {
            for (NDArray a : slot) if (a == x) return true;
            return false;
        }

        /** x becomes the best iterate of the samples marked in better. */
        void take(NDArray x, boolean[] better) {
            int k = indexOf(x);
            for (int i = 0; i < b; i++) if (better[i] && owner[i] != k) release(i);
            if (k < 0) {
                k = freeSlot();
                slot[k] = x;
                age[k] = clock++;
            }
            for (int i = 0; i < b; i++)
                if (better[i] && owner[i] != k) {
                    owner[i] = k;
                    refs[k]++;
                }
        }

        private int indexOf(NDArray x) {
            for (int k = 0; k < SLOTS; k++) if (slot[k] == x) return k;
            return -1;
        }

        private void release(int i) {
            int k = owner[i];
            owner[i] = -1;
            copied[i] = null;
            if (k >= 0 && --refs[k] == 0) free(k);
        }

        private void free(int k) {
            slot[k].close();
            slot[k] = null;
        }

        private int freeSlot() {
            int oldest = 0;
            for (int k = 0; k < SLOTS; k++) {
                if (slot[k] == null) return k;
                if (age[k] < age[oldest]) oldest = k;
            }
            spill(oldest);
            return oldest;
        }

        private void spill(int k) {
            float[] f = slot[k].toFloatArray();
            int d = f.length / b;
            for (int i = 0; i < b; i++)
                if (owner[i] == k) {
                    copied[i] = java.util.Arrays.copyOfRange(f, i * d, (i + 1) * d);
                    owner[i] = -1;
                }
            refs[k] = 0;
            free(k);
        }

        /** The best rows, each iterate still held copied out once. */
        double[][] rows() {
            float[][] pulled = new float[SLOTS][];
            double[][] out = new double[b][];
            for (int i = 0; i < b; i++) {
                int k = owner[i], off = 0;
                float[] src = copied[i];
                if (k >= 0) {
                    if (pulled[k] == null) pulled[k] = slot[k].toFloatArray();
                    src = pulled[k];
                    off = i * (src.length / b);
                }
                int d = k >= 0 ? src.length / b : src.length;
                out[i] = new double[d];
                for (int j = 0; j < d; j++) out[i][j] = src[off + j];
            }
            return out;
        }

        @Override
        public void close() {
            for (int k = 0; k < SLOTS; k++) if (slot[k] != null) free(k);
        }
    }

    /** The gradient is the step's own scratch tensor, so the sign step is formed in it in place. */
    private NDArray step(NDArray x, NDArray grad, NDArray a) {
        if (s.norm() == Norm.LINF) return x.add(grad.signi().muli(a));
        NDArray n = Projection.rowNorms(grad).add(1e-12f);
        return x.add(grad.div(n).mul(a));
    }

    private NDArray project(NDArray x, NDArray x0, NDArray[] box, double eps) {
        if (s.norm() == Norm.LINF) return x.maximum(box[0]).minimum(box[1]);
        NDArray delta = Projection.l2BallBox(x.sub(x0), box[0], box[1], eps);
        return x0.add(delta);
    }

    /**
     * A uniform point of the l-inf ball, or a uniform point of the l2 ball (Gaussian direction, radius eps·u^(1/d)),
     * drawn from a generator seeded by the preset's seed and the restart, never from the engine's global one: that
     * one is shared by every thread and every caller, so its draws would depend on what ran before.
     */
    private NDArray randomStart(NDManager m, NDArray x0, double eps, int restart) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(s.seed() * 1_000_003L + 7919L * restart);
        Shape shape = x0.getShape();
        int b = (int) shape.get(0), d = (int) (shape.size() / b);
        float[] delta = new float[b * d];
        for (int i = 0; i < b; i++) {
            if (s.norm() == Norm.LINF) {
                for (int k = 0; k < d; k++) delta[i * d + k] = (float) ((2 * rnd.nextDouble() - 1) * eps);
                continue;
            }
            double[] dir = new double[d];
            double norm = 0;
            for (int k = 0; k < d; k++) {
                dir[k] = gaussian(rnd);
                norm += dir[k] * dir[k];
            }
            double scale = eps * Math.pow(rnd.nextDouble(), 1.0 / d) / Math.max(Math.sqrt(norm), 1e-300);
            for (int k = 0; k < d; k++) delta[i * d + k] = (float) (dir[k] * scale);
        }
        return x0.add(m.create(delta, shape));
    }

    /** A standard normal draw (Box-Muller); SplittableRandom has no nextGaussian on Java 17. */
    private static double gaussian(java.util.SplittableRandom rnd) {
        double u = 1 - rnd.nextDouble(), v = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /**
     * Limits of the search, as float32 tensors: for l-inf the ball ∩ box per coordinate ({lo, hi});
     * for l2 the box limits on the perturbation ({lo - x, hi - x}), or null when unclipped.
     */
    private NDArray[] box(NDManager m, Batch batch, double eps, Shape shape) {
        Threat th = ctx.threat();
        int b = batch.size(), d = batch.inputs()[0].length;
        // Rounded to float32 here rather than by toType after the copy: the same rounding (to nearest), half the copying.
        float[] lo = new float[b * d], hi = new float[b * d];
        for (int i = 0; i < b; i++)
            for (int k = 0; k < d; k++) {
                double xk = batch.inputs()[i][k];
                if (s.norm() == Norm.LINF) {
                    lo[i * d + k] = (float) th.lower(xk, eps);
                    hi[i * d + k] = (float) th.upper(xk, eps);
                } else {
                    lo[i * d + k] = (float) (th.clip() ? th.lo() - xk : Double.NEGATIVE_INFINITY);
                    hi[i * d + k] = (float) (th.clip() ? th.hi() - xk : Double.POSITIVE_INFINITY);
                }
            }
        if (s.norm() == Norm.L2 && !th.clip()) return new NDArray[] {null, null};
        return new NDArray[] {m.create(lo, shape), m.create(hi, shape)};
    }

    /** Rows flattened and rounded to float32 (to nearest, as toType would). */
    static float[] floats(double[][] rows) {
        int d = rows[0].length;
        float[] flat = new float[rows.length * d];
        for (int i = 0; i < rows.length; i++) for (int k = 0; k < d; k++) flat[i * d + k] = (float) rows[i][k];
        return flat;
    }

    private static double[][] rows(NDArray x) {
        int b = (int) x.getShape().get(0);
        float[] f = x.toFloatArray();
        int d = f.length / b;
        double[][] out = new double[b][d];
        for (int i = 0; i < b; i++) for (int k = 0; k < d; k++) out[i][k] = f[i * d + k];
        return out;
    }
}
