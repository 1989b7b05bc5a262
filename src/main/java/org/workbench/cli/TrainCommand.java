package org.workbench.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.workbench.report.TrainingCurves;
import org.workbench.train.TrainFile;
import org.workbench.train.TrainSpec;
import org.workbench.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a network from a training file (outer minimization).")
public final class TrainCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "training file (YAML), e.g. problems/train-mlp.yaml")
    Path file;

    @Option(names = "--set", description = "override a key, e.g. --set training.epochs=2 (repeatable)")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        TrainSpec spec = TrainFile.load(file, overrides);
        new Trainer(spec, System.out).train();
        System.out.println("written: " + spec.output() + " and " + spec.log());
        List<Path> figures = TrainingCurves.write(spec.log(), System.out);
        System.out.println("figures: " + figures.size() + " files in " + spec.log().toAbsolutePath().getParent().resolve("figures"));
        return 0;
    }
}
