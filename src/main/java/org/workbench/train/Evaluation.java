package org.workbench.train;

import java.util.List;
import org.workbench.data.Dataset;
import org.workbench.net.Network;
import org.workbench.problem.Norm;
import org.workbench.problem.Objective;
import org.workbench.problem.ProblemFile;
import org.workbench.problem.Threat;
import org.workbench.solve.Batch;
import org.workbench.solve.Bound;
import org.workbench.solve.InnerSolver;
import org.workbench.solve.SolverContext;
import org.workbench.solve.Solvers;

/**
 * What each epoch reports beside the clean test error, on the first {@code evalSamples} test images at the
 * recipe's evaluation radius (the training radius unless it names another): the error under the evaluation attack (PGD-40 unless the recipe names another; a sample
 * counts when a float64-checked point of its ball is misclassified, the clean point included) and, for certified
 * training, the error verified by the inner solver's relaxation (ibp or crown-ibp: a sample counts unless it verifies it). Both come from the solvers
 * {@code workbench solve} runs, on a float64 copy of the current weights.
 */
final class Evaluation {
    /** NaN where not measured. */
    record Result(double attackError, double verifiedError) {}

    private Evaluation() {}

    static Result of(TrainSpec spec, Network net, Dataset test) {
        int n = Math.min(spec.evalSamples(), test.size());
        if (n == 0) return new Result(Double.NaN, Double.NaN);
        Threat threat = spec.threat() != null ? spec.threat() : new Threat(Norm.LINF, List.of(0.1), true, 0, 1);
        double eps = spec.evalEps();
        try (SolverContext ctx = new SolverContext(net, threat, Objective.crossEntropy(), spec.device())) {
            double attacked = count(Solvers.create(spec.evalAttack(), ctx), test, n, eps, Bound.ATTACKED);
            double verified = Double.NaN;
            if (spec.certified())
                verified = count(Solvers.create(ProblemFile.preset(spec.architecture(), spec.inner().type()), ctx), test, n, eps, Bound.VERIFIED);
            return new Result(attacked / n, spec.certified() ? 1 - verified / n : Double.NaN);
        }
    }

    private static double count(InnerSolver solver, Dataset test, int n, double eps, String status) {
        int hits = 0;
        for (int from = 0; from < n; from += 250) {
            int size = Math.min(250, n - from);
            int[] ids = new int[size], labels = new int[size];
            double[][] x = new double[size][];
            for (int k = 0; k < size; k++) {
                ids[k] = from + k;
                labels[k] = test.labels()[from + k];
                x[k] = test.image(from + k);
            }
            for (Bound b : solver.solve(new Batch(ids, x, labels), eps)) if (b.status().equals(status)) hits++;
        }
        return hits;
    }
}
