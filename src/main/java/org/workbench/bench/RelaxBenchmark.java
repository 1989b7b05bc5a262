package org.workbench.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.workbench.config.YNode;
import org.workbench.data.Dataset;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.problem.Norm;
import org.workbench.problem.Objective;
import org.workbench.problem.ProblemFile;
import org.workbench.problem.SolverSpec;
import org.workbench.problem.Threat;
import org.workbench.solve.Batch;
import org.workbench.solve.InnerSolver;
import org.workbench.solve.SolverContext;
import org.workbench.solve.Solvers;

/**
 * Milliseconds per image of each relaxation, batched and one image at a time, beside a float64 forward pass
 * of the same batch (the baseline the multiples are stated against).
 *
 * <p>Usage: RelaxBenchmark MODEL DATA_DIR EPS BATCH REPEATS SOLVER...
 */
public final class RelaxBenchmark {
    public static void main(String[] args) {
        Path model = Path.of(args[0]);
        Dataset data = Dataset.load(Path.of(args[1]), "test");
        double eps = Double.parseDouble(args[2]);
        int batch = Integer.parseInt(args[3]), repeats = Integer.parseInt(args[4]);
        List<String> solvers = Arrays.asList(args).subList(5, args.length);
        Network net = ModelFiles.loadBoundable(model);
        Threat threat = new Threat(Norm.LINF, List.of(eps), true, 0, 1);
        try (SolverContext ctx = new SolverContext(net, threat, Objective.crossEntropy())) {
            Batch full = batch(data, batch), one = batch(data, 1);
            double fwdFull = time(repeats, () -> ctx.float64().logits(full.inputs())) / batch;
            double fwdOne = time(repeats, () -> ctx.float64().logits(one.inputs()));
            System.out.printf("%s eps %s: float64 forward %.3f ms/image (batch %d), %.3f ms (single)%n",
                    model.getFileName(), eps, fwdFull, batch, fwdOne);
            System.out.println("| solver | ms/image, batch " + batch + " | ms/image, single | x forward (batch) | x forward (single) |");
            System.out.println("|---|---|---|---|---|");
            for (String name : solvers) {
                SolverSpec spec = ProblemFile.preset(YNode.map(null, 0, ""), name);
                InnerSolver s = Solvers.create(spec, ctx);
                double b = time(repeats, () -> s.solve(full, eps)) / batch;
                double o = time(repeats, () -> s.solve(one, eps));
                System.out.printf("| %s | %.2f | %.2f | %.1f | %.1f |%n", name, b, o, b / fwdFull, o / fwdOne);
            }
        }
    }

    static Batch batch(Dataset data, int n) {
        int[] ids = new int[n], y = new int[n];
        double[][] x = new double[n][];
        for (int i = 0; i < n; i++) {
            ids[i] = i;
            x[i] = data.image(i);
            y[i] = data.labels()[i];
        }
        return new Batch(ids, x, y);
    }

    /** Median wall milliseconds of {@code repeats} runs after one warm-up. */
    static double time(int repeats, Runnable r) {
        r.run();
        List<Double> t = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            long s = System.nanoTime();
            r.run();
            t.add((System.nanoTime() - s) / 1e6);
        }
        t.sort(null);
        return t.get(t.size() / 2);
    }
}
