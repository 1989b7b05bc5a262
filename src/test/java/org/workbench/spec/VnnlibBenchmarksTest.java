package org.workbench.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.workbench.config.InputError;

/** Every VNN-COMP 2021 property file of the benchmarks we run (in ../shared; skipped when it is absent). */
class VnnlibBenchmarksTest {
    static final Path BENCHMARKS = Path.of("../shared/benchmarks/vnncomp2021/benchmarks");

    static List<Path> files(String benchmark) throws IOException {
        Path d = BENCHMARKS.resolve(benchmark);
        assumeTrue(Files.isDirectory(d), d + " is absent");
        try (Stream<Path> s = Files.walk(d)) {
            return s.filter(p -> p.toString().endsWith(".vnnlib") || p.toString().endsWith(".vnnlib.gz")).sorted().toList();
        }
    }

    /** Sanity every parsed benchmark property must pass; returns the number of cases. */
    static int check(Property p) {
        assertFalse(p.cases().isEmpty(), p.source().toString());
        for (Property.Case c : p.cases()) {
            for (int i = 0; i < p.numInputs(); i++) {
                assertTrue(Double.isFinite(c.lo()[i]) && Double.isFinite(c.hi()[i]) && c.lo()[i] <= c.hi()[i], p.source() + " X_" + i);
            }
            assertFalse(c.unsafe().isEmpty(), p.source().toString());
        }
        assertTrue(p.sharedUnsafe(), p.source().toString());
        return p.cases().size();
    }

    @Test
    void acasxu() throws IOException {
        List<Path> files = files("acasxu");
        assertEquals(10, files.size());
        Map<String, String> shape = new TreeMap<>();
        for (Path f : files) {
            Property p = Vnnlib.parse(f, 5, 5);
            check(p);
            String name = f.getFileName().toString().replace(".vnnlib", "");
            shape.put(name, p.inputBoxes().size() + " box(es), " + p.cases().size() + " case(s), constraints "
                    + p.cases().stream().map(c -> String.valueOf(c.unsafe().size())).toList());
        }
        System.out.println("acasxu: " + shape);
        // prop_1: COC >= 3.99 is unsafe; 2-4: one conjunction of 4 comparisons; 5, 9, 10: "not minimal" is 4
        // disjuncts; 6: two input boxes times those 4; 7: two disjuncts of 3; 8: three of 2
        assertEquals("1 box(es), 1 case(s), constraints [1]", shape.get("prop_1"));
        for (String q : List.of("prop_2", "prop_3", "prop_4")) assertEquals("1 box(es), 1 case(s), constraints [4]", shape.get(q));
        for (String q : List.of("prop_5", "prop_9", "prop_10")) {
            assertEquals("1 box(es), 4 case(s), constraints [1, 1, 1, 1]", shape.get(q));
        }
        assertEquals("2 box(es), 8 case(s), constraints [1, 1, 1, 1, 1, 1, 1, 1]", shape.get("prop_6"));
        assertEquals("1 box(es), 2 case(s), constraints [3, 3]", shape.get("prop_7"));
        assertEquals("1 box(es), 3 case(s), constraints [2, 2, 2]", shape.get("prop_8"));

        Property p1 = Vnnlib.parse(BENCHMARKS.resolve("acasxu/prop_1.vnnlib"), 5, 5);
        Property.Case c = p1.cases().get(0);
        assertEquals(0.6, c.lo()[0]);
        assertEquals(0.679857769, c.hi()[0]);
        assertEquals(new LinearConstraint(new double[] {-1, 0, 0, 0, 0}, -3.991125645861615), c.unsafe().get(0));
        // prop_4 pins X_2 to 0 with two bounds
        Property p4 = Vnnlib.parse(BENCHMARKS.resolve("acasxu/prop_4.vnnlib"), 5, 5);
        assertEquals(0.0, p4.cases().get(0).lo()[2]);
        assertEquals(0.0, p4.cases().get(0).hi()[2]);

        InputError e = assertThrows(InputError.class, () -> Vnnlib.parse(BENCHMARKS.resolve("acasxu/prop_1.vnnlib"), 784, 10));
        assertTrue(e.getMessage().contains("shape does not match the network"), e.getMessage());
    }

    @Test
    void mnistfc() throws IOException {
        List<Path> files = files("mnistfc");
        assertEquals(30, files.size());
        System.out.println("mnistfc: " + robustnessProperties(files) + " (files, cases each)");
    }

    @Test
    void eran() throws IOException {
        List<Path> files = files("eran");
        assertEquals(72, files.size());
        System.out.println("eran: " + robustnessProperties(files) + " (files, cases each)");
    }

    /**
     * MNIST robustness: one box inside [0, 1], and 9 disjuncts "class j scores at least as high as the label"
     * (Y_label - Y_j <= 0), one for every other class.
     */
    static String robustnessProperties(List<Path> files) {
        Map<Integer, Integer> byCount = new TreeMap<>();
        for (Path f : files) {
            Property p = Vnnlib.parse(f, 784, 10);
            byCount.merge(check(p), 1, Integer::sum);
            assertEquals(1, p.inputBoxes().size(), f.toString());
            double[][] box = p.inputBoxes().get(0);
            for (int i = 0; i < 784; i++) assertTrue(box[0][i] >= 0 && box[1][i] <= 1, f + " X_" + i);
            assertEquals(9, p.cases().size(), f.toString());
            Set<Integer> labels = new TreeSet<>(), others = new TreeSet<>();
            for (Property.Case c : p.cases()) {
                assertEquals(1, c.unsafe().size());
                LinearConstraint k = c.unsafe().get(0);
                assertEquals(0.0, k.rhs());
                for (int j = 0; j < 10; j++) {
                    if (k.coef()[j] == 1) labels.add(j);
                    else if (k.coef()[j] == -1) others.add(j);
                    else assertEquals(0.0, k.coef()[j]);
                }
            }
            assertEquals(1, labels.size(), f.toString());
            assertEquals(9, others.size(), f.toString());
            assertFalse(others.contains(labels.iterator().next()), f.toString());
        }
        return files.size() + " files, " + byCount;
    }
}
