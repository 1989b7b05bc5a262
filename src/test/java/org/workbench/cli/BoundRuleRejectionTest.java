package org.workbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.workbench.config.InputError;
import org.workbench.config.YNode;
import org.workbench.net.AttackOnly;
import org.workbench.net.Flatten;
import org.workbench.net.Layer;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.net.OnnxImporter;
import org.workbench.problem.Norm;
import org.workbench.problem.Objective;
import org.workbench.problem.Threat;
import org.workbench.solve.Bound;
import org.workbench.solve.SolverContext;
import org.workbench.testing.RandomNets;

/**
 * Every operator the importer accepts has bound rules (the ONNX fixtures, the depthwise convolution among them, load
 * as boundable); a layer without them (a new operator starts as {@link AttackOnly}) makes the relaxations and the
 * exact solvers refuse the network in one line naming the node, while attacks still run on it.
 */
class BoundRuleRejectionTest {

    /** A smooth activation with a forward pass only. */
    record Softplus() implements AttackOnly {
        @Override
        public String type() {
            return "softplus";
        }

        @Override
        public int[] outputShape(int[] in) {
            return in.clone();
        }

        @Override
        public NDArray forward(NDArray x, NDList p) {
            return x.exp().add(1).log();
        }
    }

    @Test
    void everyImportedFixtureHasBoundRules() throws Exception {
        try (var files = java.nio.file.Files.list(Path.of("src/test/resources/onnx"))) {
            List<Path> onnx = files.filter(f -> f.toString().endsWith(".onnx")).sorted().toList();
            assertTrue(onnx.size() >= 15, "fixtures: " + onnx);
            for (Path f : onnx) {
                Network net = OnnxImporter.load(f, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
                assertTrue(net.boundRuleGap().isEmpty(), f + ": " + net.boundRuleGap());
            }
        }
    }

    @Test
    void aLayerWithoutRulesIsNamedAndAttacksStillRun() {
        Random r = new Random(3);
        Network net = new Network(new int[] {1, 4, 4}, List.<Layer>of(new Flatten(), RandomNets.linear(r, 16, 8), new Softplus(),
                RandomNets.linear(r, 8, 3)), null, List.of("flat (Flatten)", "fc1 (Gemm)", "act (Softplus)", "fc2 (Gemm)"));
        InputError e = assertThrows(InputError.class, () -> ModelFiles.requireBoundRules(net, Path.of("net.onnx")));
        assertEquals("net.onnx: act (Softplus): no bound rule; attacks work, relaxations do not", e.getMessage());
        Threat threat = new Threat(Norm.LINF, List.of(0.1), true, 0, 1);
        try (SolverContext ctx = new SolverContext(net, threat, Objective.crossEntropy())) {
            var batch = RandomNets.batch(r, net, 3);
            YNode cfg = YNode.map(null, 0, "");
            cfg.put("steps", YNode.scalar(null, 0, "steps", "10"));
            cfg.put("alpha_over_eps", YNode.scalar(null, 0, "a", "0.25"));
            List<Bound> pgd = org.workbench.attack.AttackConfig.pgd("pgd", cfg, ctx).solve(batch, 0.1);
            assertEquals(3, pgd.size());
            YNode crown = YNode.map(null, 0, "");
            crown.put("solver", YNode.scalar(null, 0, "solver", "crown"));
            InputError refused = assertThrows(InputError.class, () -> org.workbench.solve.Solvers.create(
                    new org.workbench.problem.SolverSpec("crown", "crown", crown), ctx));
            assertTrue(refused.getMessage().contains("act (Softplus): no bound rule; attacks work, relaxations do not"), refused.getMessage());
        }
    }
}
