package org.workbench.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.workbench.attack.Pgd;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.problem.Norm;
import org.workbench.problem.Objective;
import org.workbench.problem.Threat;
import org.workbench.solve.Batch;
import org.workbench.solve.Bound;
import org.workbench.solve.SolverContext;

/**
 * Times the project's own l-inf PGD ({@link Pgd}, cross-entropy, no random start) on one batch, for the
 * comparison with the same loop in PyTorch made by bench/pgd_benchmark.sh. Two measurements per repetition:
 * "loop" is {@link Pgd#candidates} (the float32 search: input gradients, sign steps, clamping, best-iterate
 * tracking, candidates copied out to Java), "full" is {@link Pgd#solve} (the loop plus the float64 re-check of
 * the 2B candidates). CPU time per repetition is summed over the JVM's Java threads (nanosecond clocks; with
 * one libtorch thread the ops run on the calling thread). The JVM's own process CPU clock ticks in 10 ms, too
 * coarse per repetition, so it is reported once over all repetitions ("proc"), which adds the JIT compiler
 * and GC threads the per-repetition figure cannot see.
 *
 * <pre>
 * PgdBenchmark --model models/mlp.yaml --batch-file batch.bin [--steps 40] [--alpha 0.01] [--eps 0.1]
 *              [--clip true] [--warmup 10] [--reps 11]
 * </pre>
 * The batch file is little-endian: int32 B, int32 D, B*D float32 inputs, B int32 labels.
 */
public final class PgdBenchmark {
    private PgdBenchmark() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> a = options(args);
        String model = a.getOrDefault("model", "models/mlp.yaml");
        int steps = Integer.parseInt(a.getOrDefault("steps", "40"));
        double alpha = Double.parseDouble(a.getOrDefault("alpha", "0.01"));
        double eps = Double.parseDouble(a.getOrDefault("eps", "0.1"));
        boolean clip = Boolean.parseBoolean(a.getOrDefault("clip", "true"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "10"));
        int reps = Integer.parseInt(a.getOrDefault("reps", "11"));
        if (!a.containsKey("batch-file")) throw new IllegalArgumentException("--batch-file is required");
        Batch batch = readBatch(Path.of(a.get("batch-file")));

        Network net = ModelFiles.load(Path.of(model));
        Threat threat = new Threat(Norm.LINF, List.of(eps), clip, 0, 1);
        Objective ce = Objective.crossEntropy();
        try (SolverContext ctx = new SolverContext(net, threat, ce)) {
            Pgd pgd = new Pgd("pgd-bench", ctx, new Pgd.Settings(Norm.LINF, steps, alpha, 0, 1, false, false, ce, false, 0));
            ctx.float32();
            ctx.float64();
            for (int i = 0; i < warmup; i++) pgd.solve(batch, eps);
            List<double[]> loop = new ArrayList<>(), full = new ArrayList<>();
            List<Bound> bounds = null;
            long p0 = processNanos();
            for (int i = 0; i < reps; i++) {
                long c0 = threadNanos(), w0 = System.nanoTime();
                pgd.candidates(batch, eps);
                long c1 = threadNanos(), w1 = System.nanoTime();
                bounds = pgd.solve(batch, eps);
                long c2 = threadNanos(), w2 = System.nanoTime();
                loop.add(new double[] {(c1 - c0) / 1e6, (w1 - w0) / 1e6});
                full.add(new double[] {(c2 - c1) / 1e6, (w2 - w1) / 1e6});
            }
            double procPerRep = (processNanos() - p0) / 1e6 / reps;
            double sumMedians = median(loop, 0) + median(full, 0);
            int attacked = 0;
            double sumWorst = 0;
            for (Bound bd : bounds) {
                if (bd.status().equals(Bound.ATTACKED)) attacked++;
                sumWorst += bd.worst();
            }
            System.out.printf(Locale.ROOT, "RESULT side=java model=%s batch=%d steps=%d reps=%d loop_cpu_ms=%.2f loop_wall_ms=%.2f"
                            + " full_cpu_ms=%.2f full_wall_ms=%.2f attacked=%d mean_worst_margin=%.6f"
                            + " proc_cpu_per_rep_ms=%.1f thread_cpu_per_rep_ms=%.1f%n",
                    Path.of(model).getFileName(), batch.size(), steps, reps, median(loop, 0), median(loop, 1),
                    median(full, 0), median(full, 1), attacked, sumWorst / batch.size(), procPerRep, sumMedians);
        }
    }

    private static long processNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long threadNanos() {
        com.sun.management.ThreadMXBean t = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long cpu : t.getThreadCpuTime(t.getAllThreadIds())) if (cpu > 0) sum += cpu;
        return sum;
    }

    private static double median(List<double[]> rows, int col) {
        double[] v = rows.stream().mapToDouble(r -> r[col]).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static Batch readBatch(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int b = buf.getInt(), d = buf.getInt();
        double[][] x = new double[b][d];
        for (int i = 0; i < b; i++) for (int k = 0; k < d; k++) x[i][k] = buf.getFloat();
        int[] labels = new int[b];
        for (int i = 0; i < b; i++) labels[i] = buf.getInt();
        int[] ids = new int[b];
        Arrays.setAll(ids, i -> i);
        return new Batch(ids, x, labels);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) throw new IllegalArgumentException("expected --key value, got " + args[i]);
            m.put(args[i].substring(2), args[++i]);
        }
        return m;
    }
}
