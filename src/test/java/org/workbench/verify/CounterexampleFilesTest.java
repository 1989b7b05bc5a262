package org.workbench.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.net.TorchNet;
import org.workbench.spec.Property;
import org.workbench.spec.Vnnlib;

/**
 * Every `sat` row recorded in results/verify has its counterexample file, and the file's X re-evaluates (float64,
 * from the ONNX in ../shared; skipped without it) into the input box and the unsafe set within the competition's
 * 1e-4, with the recorded Y matching the network's outputs.
 */
class CounterexampleFilesTest {
    static final Path RESULTS = Path.of("results/verify");
    static final Path BENCH = Path.of("../shared/benchmarks/vnncomp2021/benchmarks");
    static final Pattern VALUE = Pattern.compile("\\((X|Y)_(\\d+) ([-+0-9.eE]+)\\)");

    @Test
    void everyRecordedSatReEvaluatesIntoTheUnsafeSet() throws Exception {
        assumeTrue(Files.isDirectory(BENCH), "../shared is absent");
        int checked = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            for (String[] bench : new String[][] {{"acasxu_instances.csv", "acasxu"}, {"mnistfc_instances.csv", "mnistfc"},
                    {"verivital_instances.csv", "verivital"}}) {
                List<String> lines = Files.readAllLines(RESULTS.resolve(bench[0]));
                for (String line : lines.subList(1, lines.size())) {
                    String[] f = line.split(",");
                    if (!f[3].equals("sat")) continue;
                    Path cex = RESULTS.resolve("counterexamples").resolve(f[0] + "__" + f[1].replace('/', '_') + ".txt");
                    assertTrue(Files.isRegularFile(cex), "no counterexample file for " + line);
                    Network net = ModelFiles.load(BENCH.resolve(bench[1]).resolve(f[0]));
                    Property p = Vnnlib.parse(BENCH.resolve(bench[1]).resolve(f[1]), net.inputSize(), net.numClasses());
                    String text = Files.readString(cex);
                    assertTrue(text.startsWith("sat\n"), cex.toString());
                    List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
                    Matcher mm = VALUE.matcher(text);
                    while (mm.find()) (mm.group(1).equals("X") ? xs : ys).add(Double.parseDouble(mm.group(3)));
                    assertEquals(net.inputSize(), xs.size(), cex.toString());
                    assertEquals(net.numClasses(), ys.size(), cex.toString());
                    double[] x = xs.stream().mapToDouble(Double::doubleValue).toArray();
                    double[] y;
                    try (TorchNet t = new TorchNet(net, m, DataType.FLOAT64)) {
                        y = t.logits(new double[][] {x})[0];
                    }
                    assertTrue(p.violatedBy(x, y, 1e-4), cex + ": not in the input box and the unsafe set within 1e-4");
                    for (int j = 0; j < y.length; j++) assertEquals(y[j], ys.get(j), 1e-6 * (1 + Math.abs(y[j])), cex + " Y_" + j);
                    checked++;
                }
            }
        }
        assertTrue(checked > 0, "no sat rows were checked");
    }
}
