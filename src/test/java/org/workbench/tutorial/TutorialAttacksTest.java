package org.workbench.tutorial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.workbench.data.Dataset;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.net.TorchNet;
import org.workbench.problem.Problem;
import org.workbench.problem.ProblemFile;
import org.workbench.report.Summary;
import org.workbench.solve.SolveRunner;

/**
 * The tutorial's printed numbers on its own networks and the official MNIST test set (../shared; skipped
 * without it): clean errors of all seven networks, and the attack error rates of model_dnn_2.
 */
class TutorialAttacksTest {
    static final Path SHARED = Path.of("../shared");
    static final Path MODELS = SHARED.resolve("models/tutorial");
    static final Path TEST_SET = SHARED.resolve("data/mnist-test");

    @TempDir
    Path tmp;

    @Test
    void cleanErrorsOfAllSevenNetworks() {
        assumeTrue(Files.isDirectory(MODELS) && Files.isDirectory(TEST_SET), "../shared is absent");
        Dataset data = Dataset.load(TEST_SET, "test");
        Map<String, Double> expected = Map.of("model_small", 0.0321, "model_dnn_2", 0.0285, "model_dnn_4", 0.0210,
                "model_cnn", 0.0105, "ch4_model_cnn", 0.0106, "ch4_model_cnn_robust", 0.0085, "ch4_model_cnn_robust_2", 0.0515);
        double[][] x = new double[data.size()][];
        for (int i = 0; i < x.length; i++) x[i] = data.image(i);
        try (NDManager m = NDManager.newBaseManager()) {
            for (Map.Entry<String, Double> e : expected.entrySet()) {
                Network net = ModelFiles.load(MODELS.resolve(e.getKey() + ".onnx"));
                try (TorchNet t = new TorchNet(net, m, DataType.FLOAT32)) {
                    int wrong = 0;
                    for (int from = 0; from < x.length; from += 1000) {
                        double[][] z = t.logits(java.util.Arrays.copyOfRange(x, from, from + 1000));
                        for (int i = 0; i < z.length; i++) if (argmax(z[i]) != data.labels()[from + i]) wrong++;
                    }
                    assertEquals(e.getValue(), wrong / 10000.0, 1e-9, e.getKey());
                }
            }
        }
    }

    @Test
    void attackErrorRatesOnModelDnn2() throws Exception {
        assumeTrue(Files.isDirectory(MODELS) && Files.isDirectory(TEST_SET), "../shared is absent");
        Summary linf = run("problems/tutorial/ch3-attacks-linf.yaml");
        assertEquals(0.9715, linf.cleanAccuracy(), 1e-12, "clean error must be exactly 0.0285");
        assertEquals(0.9259, error(linf, "fgsm"), 0.005);
        assertEquals(0.9637, error(linf, "pgd-tutorial"), 0.005);
        Summary l2 = run("problems/tutorial/ch3-attacks-l2.yaml");
        assertEquals(0.9232, error(l2, "pgd-l2-tutorial"), 0.005);
    }

    /** A problems/tutorial/ file on model_dnn_2 and the official test set, as its README runs it. */
    private Summary run(String file) throws Exception {
        Problem p = ProblemFile.load(Path.of(file), List.of("model=" + MODELS.resolve("model_dnn_2.onnx"), "data.dir=" + TEST_SET,
                "output=" + tmp.resolve(Path.of(file).getFileName().toString())));
        return new SolveRunner(p, new PrintStream(OutputStream.nullOutputStream())).run();
    }

    private static double error(Summary s, String solver) {
        Summary.Row r = s.rows().stream().filter(x -> x.solver().equals(solver)).findFirst().orElseThrow();
        assertEquals(10000, r.n());
        return (double) r.attacked() / r.n();
    }

    static int argmax(double[] z) {
        int b = 0;
        for (int j = 1; j < z.length; j++) if (z[j] > z[b]) b = j;
        return b;
    }
}
