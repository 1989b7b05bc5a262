package org.workbench.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;

/**
 * SGD (momentum, Nesterov, weight decay) and Adam on the trainer's float32 parameters, with gradient clipping by
 * global norm, as PyTorch's {@code torch.optim.SGD}/{@code Adam} and {@code clip_grad_norm_} compute them (Adam within
 * a relative 1e-5: libtorch's fused update forms 1 - beta in float32). The moments and the step count are the state a
 * checkpoint keeps.
 */
final class Optimizer {
    private final TrainSpec spec;
    private final List<NDArray> params;
    final List<NDArray> m = new ArrayList<>(), v = new ArrayList<>();
    private final NDManager manager;
    int t;

    Optimizer(TrainSpec spec, List<NDArray> params, NDManager manager) {
        this.spec = spec;
        this.params = params;
        this.manager = manager;
        for (NDArray p : params) {
            m.add(manager.zeros(p.getShape(), p.getDataType()));
            v.add(manager.zeros(p.getShape(), p.getDataType()));
        }
    }

    /** Weights, moments and step count: where running an epoch again starts from. */
    record State(int step, List<float[]> weights, List<float[]> moment1, List<float[]> moment2) {}

    State save() {
        return new State(t, state(params), state(m), state(v));
    }

    void load(State s) {
        restore(s.step(), s.moment1(), s.moment2());
        for (int i = 0; i < params.size(); i++) {
            params.get(i).set(java.nio.FloatBuffer.wrap(s.weights().get(i)));
            JniUtils.zeroGrad((PtNDArray) params.get(i)); // the failed step's gradient, never applied
        }
    }

    /** Whether every weight is finite (one sum per tensor: a finite float32 sum can only overflow past 3e38). */
    boolean finite() {
        for (NDArray p : params)
            try (NDArray sum = p.sum()) {
                if (!Float.isFinite(sum.getFloat())) return false;
            }
        return true;
    }

    List<float[]> state(List<NDArray> moments) {
        List<float[]> out = new ArrayList<>();
        for (NDArray a : moments) out.add(a.toFloatArray());
        return out;
    }

    void restore(int step, List<float[]> m1, List<float[]> m2) {
        t = step;
        for (int i = 0; i < m.size(); i++) {
            m.get(i).set(java.nio.FloatBuffer.wrap(m1.get(i)));
            v.get(i).set(java.nio.FloatBuffer.wrap(m2.get(i)));
        }
    }

    /**
     * One update at learning rate lr. Every temporary is moved into a manager closed at the end: an op's result belongs
     * to its first operand's manager, here the network's, which lives as long as the run (PGD training grew by 1 GB an
     * epoch).
     */
    void step(double lr) {
        t++;
        try (NDManager tmp = manager.newSubManager()) {
            java.util.function.UnaryOperator<NDArray> local = a -> {
                a.attach(tmp);
                return a;
            };
            double scale = clipScale(local);
            for (int i = 0; i < params.size(); i++) {
                NDArray p = params.get(i), g = local.apply(p.getGradient());
                if (spec.optimizer().equals("adam")) {
                    // libtorch's fused Adam: one native call instead of a dozen small ops. It steps by
                    // lrbc·m / (sqrt(v) + eps') after g = scale·g + wd·p; with lrbc = lr·sqrt(c2)/c1 and
                    // eps' = eps·sqrt(c2) that is PyTorch's (lr/c1)·m / (sqrt(v)/sqrt(c2) + eps).
                    double b1 = 0.9, b2 = 0.999, c1 = 1 - Math.pow(b1, t), c2 = 1 - Math.pow(b2, t);
                    float lrbc = (float) (lr * Math.sqrt(c2) / c1);
                    JniUtils.adamUpdate((PtNDArray) p, (PtNDArray) g, (PtNDArray) m.get(i), (PtNDArray) v.get(i), lrbc, lrbc,
                            (float) spec.weightDecay(), (float) scale, -1f, (float) b1, (float) b2, (float) (1e-8 * Math.sqrt(c2)), false);
                    JniUtils.zeroGrad((PtNDArray) p);
                    continue;
                }
                if (scale < 1) g.muli((float) scale);
                if (spec.weightDecay() > 0) g.addi(local.apply(p.mul((float) spec.weightDecay())));
                m.get(i).muli((float) spec.momentum()).addi(g);
                // Nesterov: step along g + momentum * buf, the look-ahead point's gradient estimate.
                NDArray dir = spec.nesterov() ? local.apply(g.add(local.apply(m.get(i).mul((float) spec.momentum())))) : m.get(i);
                p.subi(local.apply(dir.mul((float) lr)));
                JniUtils.zeroGrad((PtNDArray) p); // zero_(), where g - g would keep a NaN
            }
        }
    }

    /** The factor that brings the gradients' global l2 norm down to grad_clip (1 when under it or clipping is off). */
    private double clipScale(java.util.function.UnaryOperator<NDArray> local) {
        if (!(spec.gradClip() > 0)) return 1;
        double sq = 0;
        for (NDArray p : params) sq += local.apply(local.apply(p.getGradient().square()).sum()).getFloat();
        double norm = Math.sqrt(sq);
        return norm > spec.gradClip() ? spec.gradClip() / (norm + 1e-6) : 1;
    }
}
