package org.workbench.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.workbench.data.Dataset;
import org.workbench.net.Layer;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.net.TorchNet;
import org.workbench.solve.Batch;

/**
 * The outer minimization: mini-batch SGD or Adam on the loss that the recipe's inner solver defines
 * ({@link InnerLoss}: clean, adversarial or certified), seeded, with a checkpoint after every epoch that a killed
 * run resumes from. Every epoch logs loss and training error, the clean test error, the error under the evaluation
 * attack and, for certified training, the IBP-verified error ({@link Evaluation}).
 */
public final class Trainer {
    /** One epoch's numbers, as logged (NaN where not measured). */
    public record Epoch(int epoch, double lr, double eps, double kappa, double trainLoss, double trainError, double testError,
                        double attackError, double verifiedError, double seconds) {
        static final String HEADER = "epoch,lr,eps,kappa,train_loss,train_error,test_error,attack_error,verified_error,seconds";

        String row() {
            return String.format(java.util.Locale.ROOT, "%d,%.6g,%.6g,%s,%.5f,%.4f,%.4f,%s,%s,%.2f", epoch, lr, eps, show(kappa), trainLoss,
                    trainError, testError, show(attackError), show(verifiedError), seconds);
        }

        private static String show(double v) {
            return Double.isNaN(v) ? "" : String.format(java.util.Locale.ROOT, "%.4f", v);
        }
    }

    private final TrainSpec spec;
    private final PrintStream log;

    public Trainer(TrainSpec spec, PrintStream log) {
        this.spec = spec;
        this.log = log;
    }

    public Network train() throws IOException {
        return train(Integer.MAX_VALUE);
    }

    /**
     * Trains until the recipe's last epoch, or stops after {@code epochsThisRun} epochs (as a kill would, right
     * after a checkpoint); resumes from the checkpoint when there is one. Returns the weights it ends with.
     */
    public Network train(int epochsThisRun) throws IOException {
        Dataset train = subset(classes(Dataset.load(spec.dataDir(), "train")), spec.trainSamples());
        Dataset test = classes(Dataset.load(spec.dataDir(), "test"));
        Network init = ModelFiles.initialize(spec.architecture(), spec.seed());
        String fingerprint = fingerprint();
        Checkpoint resume = Checkpoint.read(spec.checkpoint(), fingerprint, init);
        Network start = resume == null ? init : resume.weights();
        List<String> rows = resume == null ? new ArrayList<>() : new ArrayList<>(resume.logRows());
        try (NDManager root = NDManager.newBaseManager(spec.device()); TorchNet net = new TorchNet(start, root, DataType.FLOAT32)) {
            List<NDArray> params = new ArrayList<>();
            for (int i = 0; i < start.layers().size(); i++) {
                List<Layer.Param> ps = start.layers().get(i).params();
                for (int k = 0; k < ps.size(); k++)
                    if (ps.get(k).trainable()) params.add(net.params().get(i).get(k));
            }
            for (NDArray p : params) p.setRequiresGradient(true);
            Optimizer opt = new Optimizer(spec, params, net.manager());
            Random rnd = new Random(spec.seed());
            int[] order = new int[train.size()];
            for (int i = 0; i < order.length; i++) order[i] = i;
            int first = 1;
            if (resume != null) {
                opt.restore(resume.step(), resume.moment1(), resume.moment2());
                rnd = resume.shuffle();
                order = resume.order();
                first = resume.epochsDone() + 1;
                log.println("resuming from " + spec.checkpoint() + " after epoch " + resume.epochsDone());
            }
            log.println(Epoch.HEADER);
            for (String r : rows) log.println(r);
            try (InnerLoss inner = new InnerLoss(spec, net, params)) {
                int last = (int) Math.min(spec.epochs(), (long) first + epochsThisRun - 1);
                for (int e = first; e <= last; e++) {
                    // Training has, rarely and not repeatably, met NaN weights (cause not found; suspected: a libtorch
                    // CPU kernel reading uninitialized memory, as ConvIndex records for the convolution's gradient):
                    // an epoch that meets a non-finite loss or weight runs again from its start, once; a second
                    // failure is divergence, reported as such.
                    Optimizer.State before = opt.save();
                    Random rndBefore = copy(rnd);
                    int[] orderBefore = order.clone();
                    Epoch ep = epoch(e, net, inner, opt, train, test, order, rnd);
                    if (ep == null) {
                        log.println("epoch " + e + ": a non-finite loss or weight; running the epoch again from its start");
                        opt.load(before);
                        rnd = rndBefore;
                        order = orderBefore;
                        ep = epoch(e, net, inner, opt, train, test, order, rnd);
                        if (ep == null)
                            throw new org.workbench.config.InputError("recipe " + spec.name() + ": the loss or the weights became "
                                    + "non-finite in epoch " + e + " twice (diverged): expected a smaller training.lr, or training.grad_clip");
                    }
                    rows.add(ep.row());
                    log.println(ep.row());
                    writeLog(rows);
                    new Checkpoint(e, opt.t, opt.state(opt.m), opt.state(opt.v), rnd, order.clone(), rows, net.snapshot())
                            .write(spec.checkpoint(), fingerprint);
                }
            }
            Network trained = net.snapshot();
            if (rows.size() == spec.epochs()) {
                Files.createDirectories(spec.output().toAbsolutePath().getParent());
                String desc = spec.description() != null ? spec.description()
                        : "trained by workbench train (" + spec.name() + "), " + rows.get(rows.size() - 1);
                ModelFiles.save(trained, spec.output(), desc);
            }
            return trained;
        }
    }

    /** Tests only: (epoch, batch) whose loss reads as NaN once, as a kernel's transient fault would make it. */
    static int[] faultForTest;

    private static Random copy(Random r) {
        try {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            try (java.io.ObjectOutputStream o = new java.io.ObjectOutputStream(bytes)) {
                o.writeObject(r);
            }
            try (java.io.ObjectInputStream i = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
                return (Random) i.readObject();
            }
        } catch (IOException | ClassNotFoundException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** One epoch; null when it met a non-finite loss or ended with non-finite weights. */
    private Epoch epoch(int e, TorchNet net, InnerLoss inner, Optimizer opt, Dataset train, Dataset test, int[] order, Random rnd) {
        long t0 = System.nanoTime(), lastPrint = t0;
        double firstLr = learningRate(e, 0, 1);
        shuffle(order, rnd);
        double lossSum = 0;
        int wrong = 0, batches = (order.length + spec.batch() - 1) / spec.batch();
        for (int bi = 0; bi < batches; bi++) {
            int from = bi * spec.batch(), to = Math.min(order.length, from + spec.batch());
            int[] idx = Arrays.copyOfRange(order, from, to);
            try (NDManager sm = net.manager().newSubManager()) {
                int[] labels = labels(train, idx);
                // The images as Java rows only where a shift or an attack needs them: a standard step's whole cost is
                // a few milliseconds, and building rows it never reads was a tenth of it.
                Batch images = spec.shift() > 0 || inner.attacks() ? rows(train, idx, labels, e, bi) : null;
                NDArray clean = spec.shift() > 0 ? batch(sm, net, images.inputs()) : batch(sm, net, train, idx);
                NDArray hot = InnerLoss.oneHot(sm, labels, net.network().numClasses());
                NDArray x = inner.inputs(sm, images, clean, e, bi);
                try (GradientCollector gc = sm.getEngine().newGradientCollector()) {
                    InnerLoss.Loss loss = inner.loss(x, clean, hot, labels, e);
                    gc.backward(loss.value());
                    float value = loss.value().getFloat();
                    if (faultForTest != null && faultForTest[0] == e && faultForTest[1] == bi) {
                        faultForTest = null;
                        value = Float.NaN;
                    }
                    if (!Float.isFinite(value)) return null;
                    lossSum += value * idx.length;
                    wrong += errors(loss.logits(), labels);
                }
                opt.step(learningRate(e, bi, batches));
            }
            long now = System.nanoTime();
            if (now - lastPrint > 10e9) {
                double el = (now - t0) / 1e9;
                log.printf("  epoch %d/%d: batch %d/%d, loss %.4f, %.0f s, about %.0f s left in the epoch%n", e, spec.epochs(), bi + 1,
                        batches, lossSum / to, el, el / (bi + 1) * (batches - bi - 1));
                lastPrint = now;
            }
        }
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        if (!opt.finite()) return null;
        double testErr = error(net.manager(), net, test);
        Evaluation.Result r = Evaluation.of(spec, net.snapshot(), test);
        double eps = spec.inner() == null ? 0 : spec.epsByEpoch()[e - 1];
        double kappa = spec.certified() ? spec.kappaByEpoch()[e - 1] : Double.NaN;
        return new Epoch(e, firstLr, eps, kappa, lossSum / order.length, (double) wrong / order.length, testErr, r.attackError(),
                r.verifiedError(), trainSeconds);
    }

    /** Fisher-Yates with the run's generator: the same permutations as Collections.shuffle, on an int array. */
    private static void shuffle(int[] order, Random rnd) {
        for (int i = order.length; i > 1; i--) {
            int j = rnd.nextInt(i), t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
    }

    private static int errors(NDArray logits, int[] labels) {
        long[] pred = logits.argMax(1).toLongArray();
        int wrong = 0;
        for (int i = 0; i < labels.length; i++) if (pred[i] != labels[i]) wrong++;
        return wrong;
    }

    /**
     * The batch's images, each moved by its own random shift when the recipe asks for one: the generator is seeded by
     * (seed, epoch, batch), so a resumed run draws the same shifts without keeping generator state.
     */
    private Batch rows(Dataset data, int[] idx, int[] labels, int epoch, int batch) {
        double[][] x = new double[idx.length][];
        Random r = new Random(spec.seed() * 1_000_003L + epoch * 10_007L + batch);
        for (int k = 0; k < idx.length; k++) {
            x[k] = data.image(idx[k]);
            if (spec.shift() > 0) x[k] = shifted(x[k], data.rows(), data.cols(), r.nextInt(2 * spec.shift() + 1) - spec.shift(),
                    r.nextInt(2 * spec.shift() + 1) - spec.shift());
        }
        return new Batch(idx, x, labels);
    }

    /** The image (channels of rows x cols) moved down by dy and right by dx, zero where nothing moved in. */
    static double[] shifted(double[] img, int rows, int cols, int dy, int dx) {
        double[] out = new double[img.length];
        int plane = rows * cols;
        for (int c = 0; c < img.length / plane; c++)
            for (int y = 0; y < rows; y++)
                for (int x = 0; x < cols; x++) {
                    int sy = y - dy, sx = x - dx;
                    if (sy >= 0 && sy < rows && sx >= 0 && sx < cols) out[c * plane + y * cols + x] = img[c * plane + sy * cols + sx];
                }
        return out;
    }

    /** Images [N][d] as a float32 batch of the network's input shape. */
    static NDArray batch(NDManager m, TorchNet net, double[][] images) {
        int d = images[0].length;
        float[] flat = new float[images.length * d];
        for (int k = 0; k < images.length; k++)
            for (int i = 0; i < d; i++) flat[k * d + i] = (float) images[k][i];
        return m.create(flat, net.batchShape(images.length));
    }

    private Dataset classes(Dataset d) {
        return spec.classes() == null ? d : d.onlyClasses(spec.classes());
    }

    /** The first n images of a split (n = 0: all of them). */
    private static Dataset subset(Dataset d, int n) {
        if (n == 0 || n >= d.size()) return d;
        int px = d.rows() * d.cols();
        return new Dataset(d.source() + " (first " + n + ")", d.rows(), d.cols(), Arrays.copyOf(d.pixels(), n * px),
                Arrays.copyOf(d.labels(), n));
    }

    /** What a checkpoint must have been written under to be resumed: every setting that changes the weights. */
    private String fingerprint() {
        String text = spec.architecture() + "|" + spec.dataDir().toAbsolutePath().normalize() + "|" + spec.trainSamples() + "|" + Arrays.toString(spec.classes()) + "|" + (spec.shift() > 0 ? "shift " + spec.shift() + "|" : "")
                + spec.epochs() + "|" + spec.batch() + "|" + spec.optimizer() + "|" + spec.lr() + "|" + spec.momentum() + "|"
                + spec.weightDecay() + "|" + spec.nesterov() + "|" + spec.gradClip() + "|" + spec.cyclePeak() + "|" + spec.schedule() + "|" + Arrays.toString(spec.stepEpochs()) + "|" + spec.gamma() + "|"
                + spec.seed() + "|" + (spec.inner() == null ? "none" : spec.inner().type() + spec.inner().config()) + "|"
                + spec.threat() + "|" + Arrays.toString(spec.epsByEpoch()) + "|" + Arrays.toString(spec.kappaByEpoch()) + "|" + Arrays.toString(spec.betaByEpoch()) + "|" + spec.tradesBeta();
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(h).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The learning rate of batch {@code batch} of {@code batches} in epoch {@code epoch} (1-based). cosine and step change
     * per epoch; one-cycle per batch, as "Fast is better than free" trains: linear from 0 up to lr at cycle_peak of
     * all steps, then linear down to 0 at the last one.
     */
    private double learningRate(int epoch, int batch, int batches) {
        return switch (spec.schedule()) {
            case "one-cycle" -> {
                double at = (epoch - 1 + (double) batch / batches) / spec.epochs(), peak = spec.cyclePeak();
                yield spec.lr() * (at < peak ? at / peak : (1 - at) / (1 - peak));
            }
            case "cosine" -> spec.lr() * 0.5 * (1 + Math.cos(Math.PI * (epoch - 1) / spec.epochs()));
            case "step" -> {
                double lr = spec.lr();
                for (int s : spec.stepEpochs()) if (epoch > s) lr *= spec.gamma();
                yield lr;
            }
            default -> spec.lr();
        };
    }

    /** Test error of the current weights, in float32 batches of 1000. */
    public static double error(NDManager root, TorchNet net, Dataset data) {
        int wrong = 0;
        for (int from = 0; from < data.size(); from += 1000) {
            int[] idx = new int[Math.min(data.size(), from + 1000) - from];
            for (int i = 0; i < idx.length; i++) idx[i] = from + i;
            try (NDManager sm = root.newSubManager()) {
                NDArray z = net.evaluate(batch(sm, net, data, idx));
                NDArray y = sm.create(labels(data, idx));
                wrong += (int) z.argMax(1).toType(DataType.INT32, false).neq(y).sum().getLong();
            }
        }
        return (double) wrong / data.size();
    }

    static NDArray batch(NDManager m, TorchNet net, Dataset data, int[] idx) {
        int d = data.rows() * data.cols();
        float[] flat = new float[idx.length * d];
        for (int k = 0; k < idx.length; k++) data.imageFloat(idx[k], flat, k * d);
        Shape s = net.batchShape(idx.length);
        return m.create(flat, s);
    }

    static int[] labels(Dataset data, int[] idx) {
        int[] y = new int[idx.length];
        for (int k = 0; k < y.length; k++) y[k] = data.labels()[idx[k]];
        return y;
    }

    private void writeLog(List<String> rows) throws IOException {
        StringBuilder sb = new StringBuilder(Epoch.HEADER).append('\n');
        for (String r : rows) sb.append(r).append('\n');
        if (spec.log().toAbsolutePath().getParent() != null) Files.createDirectories(spec.log().toAbsolutePath().getParent());
        Files.writeString(spec.log(), sb.toString());
    }
}
