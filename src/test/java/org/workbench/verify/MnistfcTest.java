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

/**
 * Two mnistfc instances of VNN-COMP 2021 (skipped without ../shared) that CROWN alone leaves open: one proven by
 * branch and bound on ReLUs, one falsified by the search it guides (a timeout with the MIP step at 120 s and
 * 12 s respectively).
 */
class MnistfcTest {
    static final Path DIR = Path.of("../shared/benchmarks/vnncomp2021/benchmarks/mnistfc");

    private static Verifier.Verdict verify(String net, String prop) {
        Network n = ModelFiles.load(DIR.resolve(net));
        Property p = Vnnlib.parse(DIR.resolve(prop), n.inputSize(), n.numClasses());
        return new Verifier(n, p).run(120);
    }

    @Test
    void robustnessOf256x4OnImage13IsProvenByReluSplitting() {
        assumeTrue(Files.isDirectory(DIR), "../shared is absent");
        Verifier.Verdict v = verify("mnist-net_256x4.onnx", "prop_13_0.03.vnnlib");
        assertEquals("unsat", v.result());
        assertTrue(v.method().startsWith("relu-split"), v.method());
    }

    @Test
    void robustnessOf256x2OnImage0AtEps005IsFalsified() {
        assumeTrue(Files.isDirectory(DIR), "../shared is absent");
        Verifier.Verdict v = verify("mnist-net_256x2.onnx", "prop_0_0.05.vnnlib");
        assertEquals("sat", v.result());
        Property p = Vnnlib.parse(DIR.resolve("prop_0_0.05.vnnlib"), 784, 10);
        assertTrue(p.violatedBy(v.x(), v.y(), 0));
    }
}
