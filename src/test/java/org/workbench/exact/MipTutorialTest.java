package org.workbench.exact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.workbench.config.YNode;
import org.workbench.data.Dataset;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.problem.Norm;
import org.workbench.problem.Objective;
import org.workbench.problem.Threat;
import org.workbench.solve.Bound;
import org.workbench.solve.SolverContext;

/**
 * The tutorial's exact values (chapter 3) on model_small and test image 0 (label 7), box [max(x-eps,0),
 * min(x+eps,1)]. The tutorial states min over the box of logit_7 - logit_t; the solver maximizes
 * logit_t - logit_7, its negative. Skipped without ../shared.
 */
class MipTutorialTest {
    static final Path MODEL = Path.of("../shared/models/tutorial/model_small.onnx");
    static final Path TEST_SET = Path.of("../shared/data/mnist-test");

    /**
     * Signs of every target at both radii (solving each class only until its sign is known), then the two values
     * the tutorial prints exactly, solved to optimality.
     */
    @Test
    void exactMarginsOfModelSmallOnImageZero() {
        assumeTrue(Files.isRegularFile(MODEL) && Files.isDirectory(TEST_SET), "../shared is absent");
        Network net = ModelFiles.load(MODEL);
        Dataset data = Dataset.load(TEST_SET, "test");
        double[] x = data.image(0);
        assertEquals(7, data.labels()[0]);
        Threat threat = new Threat(Norm.LINF, List.of(0.05, 0.1), true, 0, 1);
        try (SolverContext ctx = new SolverContext(net, threat, Objective.crossEntropy())) {
            Mip decide = (Mip) MipConfig.mip("mip", config("crown", "decided"), ctx);
            Bound b = report(decide.solveSample(x, 7, 0.1), "eps 0.1, until decided").bound();
            for (int t : new int[] {0, 2, 3, 5, 8, 9}) assertTrue(b.lowerMargins()[t] > 0, "eps 0.1 target " + t + " should be attacked");
            for (int t : new int[] {1, 4, 6}) assertTrue(b.margins()[t] < 0, "eps 0.1 target " + t + " should be robust");
            assertEquals(Bound.ATTACKED, b.status());
            b = report(decide.solveSample(x, 7, 0.05), "eps 0.05, until decided").bound();
            for (int t = 0; t < 10; t++) if (t != 7) assertTrue(b.margins()[t] < 0, "eps 0.05 target " + t + ": upper end " + b.margins()[t]);
            assertEquals(Bound.VERIFIED, b.status());

            Mip exact = (Mip) MipConfig.mip("mip", config("lp", "optimal"), ctx);
            // min logit_7 - logit_2 over the box = -4.966118334 (Gurobi in the tutorial).
            Mip.Sample s = report(exact.solveSample(x, 7, 0.1, new int[] {2}), "eps 0.1, target 2 to optimality");
            assertTrue(s.optimal()[2]);
            assertEquals(4.966118334, s.bound().lowerMargins()[2], 1e-6);
            assertTrue(s.bound().margins()[2] >= 4.966118334 - 1e-6
                    && s.bound().margins()[2] <= 4.966118334 + 1e-6 + MipBackend.allowance(4.97), "upper end " + s.bound().margins()[2]);
            // The smallest exact margin at 0.05 is target 3's, 0.0188727.
            s = report(exact.solveSample(x, 7, 0.05, new int[] {3}), "eps 0.05, target 3 to optimality");
            assertTrue(s.optimal()[3]);
            assertEquals(-0.0188727, s.bound().lowerMargins()[3], 1e-6);
            assertEquals(-0.0188727, s.bound().margins()[3], 1e-6 + MipBackend.allowance(0.02));
        }
    }

    static YNode config(String tighten, String until) {
        YNode cfg = YNode.map(null, 0, "");
        cfg.put("tighten", YNode.scalar(null, 0, "tighten", tighten));
        cfg.put("until", YNode.scalar(null, 0, "until", until));
        cfg.put("time_limit", YNode.scalar(null, 0, "time_limit", "300"));
        return cfg;
    }

    private static Mip.Sample report(Mip.Sample s, String what) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "model_small image 0 %s: %d binaries, bounds %.2f s, total %.2f s, status %s%n", what, s.binaries(),
                s.boundSeconds(), s.bound().seconds(), s.bound().status()));
        for (int t = 0; t < 10; t++)
            if (t != 7 && (s.targetSeconds()[t] > 0 || s.optimal()[t]))
                sb.append(String.format(Locale.ROOT, "  target %d: max logit_t - logit_7 in [%.9f, %.9f], %.2f s%s%n", t,
                        s.bound().lowerMargins()[t], s.bound().margins()[t], s.targetSeconds()[t], s.optimal()[t] ? "" : " (not optimal)"));
        System.out.print(sb);
        return s;
    }
}
