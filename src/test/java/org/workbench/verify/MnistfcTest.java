package org.workbench.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.workbench.spec.Property;
import org.workbench.spec.Vnnlib;

/**
 * Two mnistfc instances of VNN-COMP 2021 (skipped without ../shared) that CROWN alone leaves open: one proven by
 * branch and bound on ReLUs, one falsified by the search it guides (a timeout with the MIP step at 120 s and
 * 12 s respectively).
 */
class MnistfcTest {
    @Test
    void robustnessOf256x4OnImage13IsProvenByReluSplitting() {
        Path dir = Vnncomp2021.require("mnistfc");
        Verifier.Verdict v = Vnncomp2021.verify(dir, "mnist-net_256x4.onnx", "prop_13_0.03.vnnlib", 120);
        assertEquals("unsat", v.result());
        assertTrue(v.method().startsWith("relu-split"), v.method());
    }

    @Test
    void robustnessOf256x2OnImage0AtEps005IsFalsified() {
        Path dir = Vnncomp2021.require("mnistfc");
        Verifier.Verdict v = Vnncomp2021.verify(dir, "mnist-net_256x2.onnx", "prop_0_0.05.vnnlib", 120);
        assertEquals("sat", v.result());
        Property p = Vnnlib.parse(dir.resolve("prop_0_0.05.vnnlib"), 784, 10);
        assertTrue(p.violatedBy(v.x(), v.y(), 0));
    }
}
