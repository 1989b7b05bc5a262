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
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.workbench.data.Dataset;
import org.workbench.net.Layer;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.net.TorchNet;

/**
 * The outer minimization with no inner solver (standard training): mini-batch SGD or Adam on the mean
 * cross-entropy, seeded, printing and logging loss and error per epoch.
 */
public final class Trainer {
    /** One epoch's numbers, as logged. */
    public record Epoch(int epoch, double lr, double trainLoss, double trainError, double testError, double seconds) {}

    private final TrainSpec spec;
    private final PrintStream log;

    public Trainer(TrainSpec spec, PrintStream log) {
        this.spec = spec;
        this.log = log;
    }

    public Network train() throws IOException {
        Dataset train = Dataset.load(spec.dataDir(), "train");
        Dataset test = Dataset.load(spec.dataDir(), "test");
        Network init = ModelFiles.initialize(spec.architecture(), spec.seed());
        ai.djl.engine.Engine.getInstance().setRandomSeed((int) spec.seed());
        List<Epoch> epochs = new ArrayList<>();
        try (NDManager root = NDManager.newBaseManager(); TorchNet net = new TorchNet(init, root, DataType.FLOAT32)) {
            List<NDArray> params = new ArrayList<>();
            for (int i = 0; i < init.layers().size(); i++) {
                List<Layer.Param> ps = init.layers().get(i).params();
                for (int k = 0; k < ps.size(); k++)
                    if (ps.get(k).trainable()) params.add(net.params().get(i).get(k));
            }
            for (NDArray p : params) p.setRequiresGradient(true);
            Optimizer opt = new Optimizer(spec, params, net.manager());
            Random rnd = new Random(spec.seed());
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < train.size(); i++) order.add(i);
            log.println("epoch,lr,train_loss,train_error,test_error,seconds");
            for (int e = 1; e <= spec.epochs(); e++) {
                long t0 = System.nanoTime();
                double lr = learningRate(e);
                Collections.shuffle(order, rnd);
                double lossSum = 0;
                int wrong = 0;
                for (int from = 0; from < order.size(); from += spec.batch()) {
                    List<Integer> idx = order.subList(from, Math.min(order.size(), from + spec.batch()));
                    try (NDManager sm = root.newSubManager()) {
                        NDArray x = batch(sm, net, train, idx);
                        NDArray y = sm.create(labels(train, idx));
                        NDArray hot = y.oneHot(init.numClasses()).toType(DataType.FLOAT32, false);
                        try (GradientCollector gc = sm.getEngine().newGradientCollector()) {
                            NDArray logits = net.forward(x);
                            NDArray loss = logits.logSoftmax(1).mul(hot).sum().neg().div(idx.size());
                            gc.backward(loss);
                            lossSum += loss.getFloat() * idx.size();
                            wrong += (int) logits.argMax(1).toType(DataType.INT32, false).neq(y.toType(DataType.INT32, false)).sum().getLong();
                        }
                        opt.step(lr);
                    }
                }
                double testErr = error(root, net, test);
                Epoch ep = new Epoch(e, lr, lossSum / train.size(), (double) wrong / train.size(), testErr, (System.nanoTime() - t0) / 1e9);
                epochs.add(ep);
                log.printf("%d,%.6g,%.5f,%.4f,%.4f,%.1f%n", ep.epoch(), ep.lr(), ep.trainLoss(), ep.trainError(), ep.testError(), ep.seconds());
            }
            Network trained = net.snapshot();
            writeLog(epochs);
            Files.createDirectories(spec.output().toAbsolutePath().getParent());
            String desc = spec.description() != null ? spec.description()
                    : String.format("trained by workbench train (%s), test error %.4f", spec.name(), epochs.get(epochs.size() - 1).testError());
            ModelFiles.save(trained, spec.output(), desc);
            return trained;
        }
    }

    private double learningRate(int epoch) {
        return switch (spec.schedule()) {
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
            List<Integer> idx = new ArrayList<>();
            for (int i = from; i < Math.min(data.size(), from + 1000); i++) idx.add(i);
            try (NDManager sm = root.newSubManager()) {
                NDArray z = net.forward(batch(sm, net, data, idx));
                NDArray y = sm.create(labels(data, idx));
                wrong += (int) z.argMax(1).toType(DataType.INT32, false).neq(y).sum().getLong();
            }
        }
        return (double) wrong / data.size();
    }

    static NDArray batch(NDManager m, TorchNet net, Dataset data, List<Integer> idx) {
        int d = data.rows() * data.cols();
        float[] flat = new float[idx.size() * d];
        for (int k = 0; k < idx.size(); k++) System.arraycopy(data.imageFloat(idx.get(k)), 0, flat, k * d, d);
        Shape s = net.batchShape(idx.size());
        return m.create(flat, s);
    }

    static int[] labels(Dataset data, List<Integer> idx) {
        int[] y = new int[idx.size()];
        for (int k = 0; k < y.length; k++) y[k] = data.labels()[idx.get(k)];
        return y;
    }

    private void writeLog(List<Epoch> epochs) throws IOException {
        StringBuilder sb = new StringBuilder("epoch,lr,train_loss,train_error,test_error,seconds\n");
        for (Epoch e : epochs)
            sb.append(String.format("%d,%.6g,%.5f,%.4f,%.4f,%.1f%n", e.epoch(), e.lr(), e.trainLoss(), e.trainError(), e.testError(), e.seconds()));
        if (spec.log().toAbsolutePath().getParent() != null) Files.createDirectories(spec.log().toAbsolutePath().getParent());
        Files.writeString(spec.log(), sb.toString());
    }

    /** SGD with momentum or Adam, in place on the parameter tensors; gradients are zeroed after each step. */
    private static final class Optimizer {
        private final TrainSpec spec;
        private final List<NDArray> params;
        private final List<NDArray> m = new ArrayList<>(), v = new ArrayList<>();
        private int t;

        Optimizer(TrainSpec spec, List<NDArray> params, NDManager manager) {
            this.spec = spec;
            this.params = params;
            for (NDArray p : params) {
                m.add(manager.zeros(p.getShape(), p.getDataType()));
                v.add(manager.zeros(p.getShape(), p.getDataType()));
            }
        }

        void step(double lr) {
            t++;
            for (int i = 0; i < params.size(); i++) {
                NDArray p = params.get(i), g = p.getGradient();
                if (spec.weightDecay() > 0) g.addi(p.mul((float) spec.weightDecay()));
                if (spec.optimizer().equals("sgd")) {
                    m.get(i).muli((float) spec.momentum()).addi(g);
                    p.subi(m.get(i).mul((float) lr));
                } else {
                    double b1 = 0.9, b2 = 0.999;
                    m.get(i).muli((float) b1).addi(g.mul((float) (1 - b1)));
                    v.get(i).muli((float) b2).addi(g.square().mul((float) (1 - b2)));
                    double c1 = 1 - Math.pow(b1, t), c2 = 1 - Math.pow(b2, t);
                    NDArray update = m.get(i).div((float) c1).div(v.get(i).div((float) c2).sqrt().add(1e-8f)).mul((float) lr);
                    p.subi(update);
                }
                g.subi(g);
            }
        }
    }
}
