package org.workbench.relax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.workbench.data.Dataset;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.problem.Norm;
import org.workbench.problem.Objective;
import org.workbench.problem.ProblemFile;
import org.workbench.problem.Threat;
import org.workbench.report.Summary;
import org.workbench.solve.Batch;
import org.workbench.solve.SolveRunner;
import org.workbench.solve.SolverContext;

/** The tutorial's printed interval bounds and IBP certificate on its own networks (skipped without ../shared). */
class TutorialBoundsTest {
    static final Path MODELS = Path.of("../shared/models/tutorial");
    static final Path TEST_SET = Path.of("../shared/data/mnist-test");

    @TempDir
    Path tmp;

    @Test
    void intervalLogitBoundsOfModelDnn2() {
        assumeTrue(Files.isDirectory(MODELS) && Files.isDirectory(TEST_SET), "../shared is absent");
        Network net = ModelFiles.load(MODELS.resolve("model_dnn_2.onnx"));
        Dataset data = Dataset.load(TEST_SET, "test");
        assertEquals(7, data.labels()[0]);
        Threat threat = new Threat(Norm.LINF, List.of(0.1), true, 0, 1);
        try (SolverContext ctx = new SolverContext(net, threat, Objective.crossEntropy()); NDManager m = ctx.manager().newSubManager()) {
            Batch batch = new Batch(new int[] {0}, new double[][] {data.image(0)}, new int[] {7});
            Region region = Region.of(m, batch, threat, 0.1, ctx.float64().batchShape(1).getShape());
            List<NDArray[]> bounds = new Propagation(ctx.float64()).interval(region);
            NDArray[] logits = bounds.get(bounds.size() - 1);
            assertEquals(-20.794655, logits[0].toDoubleArray()[0], 5e-6);
            assertEquals(18.328127, logits[1].toDoubleArray()[0], 5e-6);
        }
    }

    /** At eps 0.02 the LP certifies image 0 of model_small for every target (LpRelaxationTest); intervals do not. */
    @Test
    void intervalBoundsDoNotCertifyModelSmallAtEps002() {
        assumeTrue(Files.isDirectory(MODELS) && Files.isDirectory(TEST_SET), "../shared is absent");
        Network net = ModelFiles.load(MODELS.resolve("model_small.onnx"));
        Dataset data = Dataset.load(TEST_SET, "test");
        Threat threat = new Threat(Norm.LINF, List.of(0.02), true, 0, 1);
        try (SolverContext ctx = new SolverContext(net, threat, Objective.crossEntropy())) {
            Batch batch = new Batch(new int[] {0}, new double[][] {data.image(0)}, new int[] {7});
            org.workbench.solve.Bound ibp = new Ibp("ibp", ctx).solve(batch, 0.02).get(0);
            org.workbench.solve.Bound crown = new Crown("crown", ctx, 512).solve(batch, 0.02).get(0);
            org.junit.jupiter.api.Assertions.assertEquals("open", ibp.status());
            org.junit.jupiter.api.Assertions.assertTrue(ibp.worst() > 0, "IBP's worst margin bound " + ibp.worst());
            org.junit.jupiter.api.Assertions.assertEquals("verified", crown.status());
        }
    }

    @Test
    void ibpVerifiedErrorOfTheIbpTrainedCnn() throws Exception {
        assumeTrue(Files.isDirectory(MODELS) && Files.isDirectory(TEST_SET), "../shared is absent");
        Summary s = new SolveRunner(ProblemFile.load(Path.of("problems/tutorial/ch4-attacks-ibp.yaml"),
                List.of("model=" + MODELS.resolve("ch4_model_cnn_robust_2.onnx"), "data.dir=" + TEST_SET, "output=" + tmp.resolve("ibp"),
                        "solvers=[ibp]")), new PrintStream(OutputStream.nullOutputStream())).run();
        Summary.Row r = s.rows().get(0);
        assertEquals(10000, r.n());
        assertEquals(0.0967, 1 - r.accuracy(), 1e-12);
        assertEquals(0.0515, 1 - s.cleanAccuracy(), 1e-12);
    }
}
