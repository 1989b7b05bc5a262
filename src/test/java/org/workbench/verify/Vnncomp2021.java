package org.workbench.verify;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.spec.Property;
import org.workbench.spec.Vnnlib;

/** The VNN-COMP 2021 benchmarks in ../shared, which a user's clone lacks: tests that need them skip. */
final class Vnncomp2021 {
    static final Path ROOT = Path.of("../shared/benchmarks/vnncomp2021/benchmarks");

    private Vnncomp2021() {}

    /** The benchmark's folder; skips the calling test when it is absent. */
    static Path require(String benchmark) {
        Path dir = ROOT.resolve(benchmark);
        assumeTrue(Files.isDirectory(dir), "../shared is absent");
        return dir;
    }

    static Verifier.Verdict verify(Path dir, String net, String prop, double timeoutSeconds) {
        Network n = ModelFiles.load(dir.resolve(net));
        Property p = Vnnlib.parse(dir.resolve(prop), n.inputSize(), n.numClasses());
        return new Verifier(n, p).run(timeoutSeconds);
    }
}
