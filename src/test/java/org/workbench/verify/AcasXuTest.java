package org.workbench.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.workbench.spec.Property;
import org.workbench.spec.Vnnlib;

/** Two quick ACAS Xu instances of VNN-COMP 2021 (skipped without ../shared): one proven, one falsified. */
class AcasXuTest {
    @Test
    void property1OnNetwork11IsProven() {
        Path dir = Vnncomp2021.require("acasxu");
        assertEquals("unsat", Vnncomp2021.verify(dir, "ACASXU_run2a_1_1_batch_2000.onnx", "prop_1.vnnlib", 60).result());
    }

    @Test
    void property2OnNetwork48IsFalsifiedWithACheckedCounterexample() {
        Path dir = Vnncomp2021.require("acasxu");
        Verifier.Verdict v = Vnncomp2021.verify(dir, "ACASXU_run2a_4_8_batch_2000.onnx", "prop_2.vnnlib", 60);
        assertEquals("sat", v.result());
        Property p = Vnnlib.parse(dir.resolve("prop_2.vnnlib"), 5, 5);
        assertTrue(p.violatedBy(v.x(), v.y(), 0));
        String text = Vnnlib.counterexample(v.x(), v.y());
        assertTrue(text.startsWith("sat\n((X_0 "), text);
    }
}
