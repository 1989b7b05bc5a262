package org.workbench.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.net.TorchNet;

/**
 * Times one step of `workbench attack` on a picture classifier: the forward pass, the backward pass to the input
 * (cross-entropy against class 0) and the gradient copied to Java, batch 1, float32. For bench/resnet18_attack_benchmark.sh,
 * which times the same step in PyTorch. Prints {@code RESULT side=java wall_ms=... cpu_ms=...} (medians; CPU time of
 * the calling thread, where libtorch runs the ops with one thread, and of the whole process over all steps).
 *
 * <pre>AttackStepBenchmark MODEL.onnx [warmup] [reps]</pre>
 */
public final class AttackStepBenchmark {
    private AttackStepBenchmark() {}

    public static void main(String[] args) {
        Network net = ModelFiles.load(Path.of(args[0]));
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 3, reps = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        double[] x = new Random(0).doubles(net.inputSize()).toArray();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double[] wall = new double[reps], cpu = new double[reps];
        long proc0 = 0;
        try (NDManager m = NDManager.newBaseManager(); TorchNet t = new TorchNet(net, m, DataType.FLOAT32)) {
            NDArray hot = m.create(new int[] {0}).oneHot(net.numClasses()).toType(DataType.FLOAT32, false);
            for (int i = -warmup; i < reps; i++) {
                if (i == 0) proc0 = os.getProcessCpuTime();
                long w0 = System.nanoTime(), c0 = threads.getCurrentThreadCpuTime();
                try (NDManager s = m.newSubManager()) {
                    NDArray in = s.create(x, t.batchShape(1)).toType(DataType.FLOAT32, false);
                    TorchNet.Grad g = t.inputGradient(in, z -> z.logSoftmax(1).mul(hot).sum().neg(), false);
                    g.gradient().toType(DataType.FLOAT64, false).toDoubleArray();
                }
                if (i >= 0) {
                    wall[i] = (System.nanoTime() - w0) / 1e6;
                    cpu[i] = (threads.getCurrentThreadCpuTime() - c0) / 1e6;
                }
            }
        }
        double procMs = (os.getProcessCpuTime() - proc0) / 1e6 / reps;
        System.out.printf(Locale.ROOT, "RESULT side=java wall_ms=%.1f cpu_ms=%.1f proc_cpu_ms=%.1f%n", median(wall), median(cpu), procMs);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
