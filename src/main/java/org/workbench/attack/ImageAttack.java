package org.workbench.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.PrintStream;
import org.workbench.net.TorchNet;
import org.workbench.problem.Norm;

/**
 * The seed chapter's attack on one picture: gradient steps on a perturbation δ of the input, kept in the ε-ball and
 * in the [0, 1] pixel box after every step. With {@code SGD}, δ ← δ − lr·∇loss exactly as the chapter does it
 * (torch.optim.SGD on δ, then clamping); with {@code PGD}, sign steps of 2.5·ε/steps (ℓ∞) or normalized steps (ℓ2).
 * The loss is −CE(logits, label) untargeted and −CE(logits, label) + CE(logits, target) targeted, minimized.
 */
public final class ImageAttack {
    public enum Step { SGD, PGD }

    public record Settings(Norm norm, double eps, int steps, Step step, double lr, int target, int logEvery) {}

    /** The final perturbation and the loss printed at every logged step. */
    public record Result(double[] delta, double lastLoss, double secondsPerStep) {}

    private ImageAttack() {}

    /** Runs the attack on x ([3, H, W] flattened, in [0, 1]) against class {@code label}, logging the loss to {@code log}. */
    public static Result run(TorchNet net, double[] x, int label, Settings s, PrintStream log) {
        int classes = net.network().numClasses();
        double[] delta = new double[x.length];
        double loss = Double.NaN;
        double alpha = s.step() == Step.PGD ? 2.5 * s.eps() / s.steps() : s.lr();
        long start = System.nanoTime();
        try (NDManager m = net.manager().newSubManager()) {
            NDArray trueHot = m.create(new int[] {label}).oneHot(classes).toType(net.dtype(), false);
            NDArray targetHot = s.target() < 0 ? null : m.create(new int[] {s.target()}).oneHot(classes).toType(net.dtype(), false);
            for (int t = 0; t < s.steps(); t++) {
                double[] g;
                try (NDManager step = m.newSubManager()) {
                    double[] xd = new double[x.length];
                    for (int i = 0; i < x.length; i++) xd[i] = x[i] + delta[i];
                    NDArray in = step.create(xd, net.batchShape(1)).toType(net.dtype(), false);
                    TorchNet.Grad grad = net.inputGradient(in, z -> {
                        NDArray logp = z.logSoftmax(1);
                        NDArray l = logp.mul(trueHot).sum();
                        return targetHot == null ? l : l.sub(logp.mul(targetHot).sum());
                    });
                    loss = grad.loss();
                    g = grad.gradient().toType(DataType.FLOAT64, false).toDoubleArray();
                }
                if (s.logEvery() > 0 && t % s.logEvery() == 0) log.printf("  step %3d  loss %.4f%n", t, loss);
                step(delta, g, alpha, s);
                project(delta, x, s.norm(), s.eps());
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9 / Math.max(1, s.steps());
        return new Result(delta, loss, seconds);
    }

    private static void step(double[] delta, double[] g, double alpha, Settings s) {
        if (s.step() == Step.SGD) {
            for (int i = 0; i < delta.length; i++) delta[i] -= alpha * g[i];
        } else if (s.norm() == Norm.LINF) {
            for (int i = 0; i < delta.length; i++) delta[i] -= alpha * Math.signum(g[i]);
        } else {
            double n = 0;
            for (double v : g) n += v * v;
            n = Math.sqrt(n);
            if (n > 0) for (int i = 0; i < delta.length; i++) delta[i] -= alpha * g[i] / n;
        }
    }

    /** Into the ε-ball (clamp for ℓ∞, rescale for ℓ2), then into the box: clipping only shrinks |δ_i|, so both hold. */
    static void project(double[] delta, double[] x, Norm norm, double eps) {
        if (norm == Norm.LINF) {
            for (int i = 0; i < delta.length; i++) delta[i] = Math.max(-eps, Math.min(eps, delta[i]));
        } else {
            double n = 0;
            for (double v : delta) n += v * v;
            n = Math.sqrt(n);
            if (n > eps) for (int i = 0; i < delta.length; i++) delta[i] *= eps / n;
        }
        for (int i = 0; i < delta.length; i++) delta[i] = Math.max(-x[i], Math.min(1 - x[i], delta[i]));
    }

    /**
     * The adversarial picture on the 8-bit grid: x must be on it already (k / 255), and each δ_i is truncated toward 0
     * to a whole number of levels, so that |δ| only shrinks (‖δ‖ ≤ ε in the saved file) and x + δ stays in [0, 1].
     */
    public static double[] quantize(double[] x, double[] delta, double eps) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            long levels = (long) (delta[i] * 255 + (delta[i] >= 0 ? 1e-9 : -1e-9)); // toward 0; 1e-9 absorbs δ = k/255 − ulp
            if (Math.abs(levels) / 255.0 > eps) levels -= Long.signum(levels); // the absorbed ulp must not cross ε
            out[i] = (Math.round(x[i] * 255) + levels) / 255.0;
        }
        return out;
    }
}
