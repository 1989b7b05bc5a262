package org.workbench.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.workbench.config.InputError;
import org.workbench.config.Verbose;
import org.workbench.config.YNode;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.problem.ProblemFile;
import org.workbench.problem.SolverSpec;
import org.workbench.spec.Property;
import org.workbench.spec.Vnnlib;
import org.workbench.verify.InstanceBatch;
import org.workbench.verify.Verifier;
import org.workbench.verify.VerifySettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Complete verification of a VNN-COMP instance: prints unsat, sat (with a counterexample) or timeout.",
                "  workbench verify NET.onnx SPEC.vnnlib [--timeout S] [--out FILE] [--solver PRESET] [--set key=value]",
                "  workbench verify --instances instances.csv [--results FILE]   (batch, resumable)"})
public final class VerifyCommand implements Callable<Integer> {
    @Parameters(arity = "0..2", description = "network (.onnx) and property (.vnnlib)")
    List<Path> files = new ArrayList<>();

    @Option(names = "--timeout", description = "seconds (default: the preset's time_limit)")
    Double timeout;

    @Option(names = "--out", description = "write the verdict here; for sat, the counterexample in the competition's format")
    Path out;

    @Option(names = "--instances", description = "a VNN-COMP instances CSV: onnx,vnnlib,timeout per row, paths relative to it")
    Path instances;

    @Option(names = "--results", description = "result rows for --instances (default results/verify/<csv name>.csv); the batch summary goes beside them")
    Path results;

    @Option(names = "--timeout-scale", description = "multiply every instance's timeout (default 1)")
    double scale = 1;

    @Option(names = "--solver", description = "a bab preset from solvers/ with the pipeline's settings (default vnncomp)")
    String solver = "vnncomp";

    @Option(names = "--set", description = "override a preset key, e.g. --set refine_share=0.5 (repeatable)")
    List<String> sets = new ArrayList<>();

    @Option(names = "--device", description = "where tensors live: auto, cpu (default), cuda or cuda:N")
    String device = "cpu";

    @Option(names = "--verbose", description = "diagnostic lines from branch and bound, refinement and input splitting")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        Verbose.set(verbose);
        VerifySettings settings = settings(solver, sets);
        ai.djl.Device dev = org.workbench.net.Devices.option("--device", device, System.err);
        if (instances != null) return batch(settings, dev);
        if (files.size() != 2) throw new InputError("verify: expected NET.onnx SPEC.vnnlib, or --instances CSV");
        double seconds = timeout != null ? timeout : settings.timeLimit();
        if (!(seconds > 0)) throw new InputError("verify: --timeout must be > 0, got " + seconds);
        Network net = ModelFiles.loadBoundable(files.get(0));
        Property p = Vnnlib.parse(files.get(1), net.inputSize(), net.numClasses());
        Verifier.Verdict v = new Verifier(net, p, settings, dev).run(seconds);
        System.out.println(v.result());
        System.err.printf("%s in %.2f s (%s)%n", v.result(), v.seconds(), v.method());
        if (out != null) Files.writeString(out, v.result().equals("sat") ? Vnnlib.counterexample(v.x(), v.y()) : v.result() + "\n");
        return 0;
    }

    /** The preset's keys with the overrides applied; the preset must name the bab solver. */
    static VerifySettings settings(String preset, List<String> sets) {
        SolverSpec spec = ProblemFile.preset(YNode.scalar(Path.of("--solver"), 0, "solver", preset), preset);
        if (!spec.type().equals("bab"))
            throw new InputError("--solver " + preset + ": expected a preset of the bab solver, got one of " + spec.type());
        YNode cfg = spec.config();
        for (String s : sets) cfg.override(s);
        return VerifySettings.read(cfg);
    }

    private int batch(VerifySettings settings, ai.djl.Device dev) throws Exception {
        Path res = results != null ? results : Path.of("results", "verify", instances.getFileName().toString());
        List<InstanceBatch.Row> rows = InstanceBatch.run(instances, res, scale, settings, dev, System.err);
        String summary = InstanceBatch.summary(rows);
        Path file = res.resolveSibling(res.getFileName().toString().replaceFirst("\\.csv$", "") + ".summary.txt");
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, summary + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.printf("%s; rows in %s, summary in %s%n", summary, res, file);
        // The batch's own cactus plot beside its rows (several batches together: workbench plot).
        String stem = res.getFileName().toString().replaceFirst("\\.csv$", "");
        List<Double> solved = rows.stream().filter(r -> r.result().equals("sat") || r.result().equals("unsat")).map(InstanceBatch.Row::seconds).toList();
        Path dir = res.toAbsolutePath().getParent();
        if (!org.workbench.report.XyFigure.write(dir, org.workbench.report.CactusPlot.plot(stem + "-cactus",
                List.of(new org.workbench.report.CactusPlot.Series(stem, solved))), System.out).isEmpty())
            System.out.println("cactus plot: " + dir.resolve(stem + "-cactus") + ".{svg,pdf,png,csv,tex}");
        return 0;
    }
}
