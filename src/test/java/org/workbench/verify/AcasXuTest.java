package org.workbench.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.spec.Property;
import org.workbench.spec.Vnnlib;

/** Two quick ACAS Xu instances of VNN-COMP 2021 (skipped without ../shared): one proven, one falsified. */
class AcasXuTest {
    static final Path DIR = Path.of("../shared/benchmarks/vnncomp2021/benchmarks/acasxu");

    private static Verifier.Verdict verify(String net, String prop) {
        Network n = ModelFiles.load(DIR.resolve(net));
        Property p = Vnnlib.parse(DIR.resolve(prop), n.inputSize(), n.numClasses());
        return new Verifier(n, p).run(60);
    }

    @Test
    void property1OnNetwork11IsProven() {
        assumeTrue(Files.isDirectory(DIR), "../shared is absent");
        assertEquals("unsat", verify("ACASXU_run2a_1_1_batch_2000.onnx", "prop_1.vnnlib").result());
    }

    @Test
    void property2OnNetwork48IsFalsifiedWithACheckedCounterexample() {
        assumeTrue(Files.isDirectory(DIR), "../shared is absent");
        Verifier.Verdict v = verify("ACASXU_run2a_4_8_batch_2000.onnx", "prop_2.vnnlib");
        assertEquals("sat", v.result());
        Network n = ModelFiles.load(DIR.resolve("ACASXU_run2a_4_8_batch_2000.onnx"));
        Property p = Vnnlib.parse(DIR.resolve("prop_2.vnnlib"), 5, 5);
        assertTrue(p.violatedBy(v.x(), v.y(), 0));
        String text = Vnnlib.counterexample(v.x(), v.y());
        assertTrue(text.startsWith("sat\n((X_0 "), text);
    }
}
