package org.workbench.problem;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.workbench.train.TrainFile;

/**
 * Every shipped problem file parses with its own defaults: problems/*.yaml and problems/tutorial/*.yaml (training
 * recipes, train-*.yaml, through the training reader). The tutorial files run on ../shared through --set, so their
 * defaults must name a model and data in the repository; a top-level file that names ../shared (mnistfc-alpha.yaml)
 * is skipped where ../shared is absent, one that reads Debian's dataset-fashion-mnist where that is not installed.
 */
class ProblemFilesTest {
    /** Debian's dataset-fashion-mnist, installed on some machines only. */
    private static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    @Test
    void everyProblemFileParses() throws IOException {
        List<Path> files = files();
        assertTrue(files.stream().anyMatch(f -> f.startsWith(Path.of("problems", "tutorial"))), "no problems/tutorial/ files");
        boolean shared = Files.isDirectory(Path.of("../shared"));
        for (Path f : files) {
            boolean tutorial = f.startsWith(Path.of("problems", "tutorial"));
            if (!tutorial && !shared && Files.readString(f).contains("../shared")) continue;   // mnistfc-alpha: VNN-COMP's network
            if (Files.readString(f).contains(FASHION.toString()) && !Files.isDirectory(FASHION)) continue;   // fashion.yaml
            if (f.getFileName().toString().startsWith("train-")) {
                assertDoesNotThrow(() -> TrainFile.load(f, List.of()), f.toString());
            } else {
                Problem p = assertDoesNotThrow(() -> ProblemFile.load(f, List.of()), f.toString());
                if (tutorial) {
                    for (ModelSpec m : p.models()) assertFalse(m.file().toString().contains("shared"), f + ": the default model must not need ../shared");
                    assertFalse(p.data().dir().toString().contains("shared"), f + ": the default data must not need ../shared");
                }
                assertFalse(p.solvers().isEmpty(), f + ": no solvers");
            }
        }
    }

    static List<Path> files() throws IOException {
        try (Stream<Path> top = Files.list(Path.of("problems")); Stream<Path> tut = Files.list(Path.of("problems", "tutorial"))) {
            return Stream.concat(top, tut).filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
    }
}
