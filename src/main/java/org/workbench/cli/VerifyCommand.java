package org.workbench.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.workbench.config.InputError;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.spec.Property;
import org.workbench.spec.Vnnlib;
import org.workbench.verify.InstanceBatch;
import org.workbench.verify.Verifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Complete verification of a VNN-COMP instance: prints unsat, sat (with a counterexample) or timeout.",
                "  workbench verify NET.onnx SPEC.vnnlib [--timeout S] [--out FILE]",
                "  workbench verify --instances instances.csv [--results FILE]   (batch, resumable)"})
public final class VerifyCommand implements Callable<Integer> {
    @Parameters(arity = "0..2", description = "network (.onnx) and property (.vnnlib)")
    List<Path> files = new ArrayList<>();

    @Option(names = "--timeout", description = "seconds (default 60)")
    double timeout = 60;

    @Option(names = "--out", description = "write the verdict here; for sat, the counterexample in the competition's format")
    Path out;

    @Option(names = "--instances", description = "a VNN-COMP instances CSV: onnx,vnnlib,timeout per row, paths relative to it")
    Path instances;

    @Option(names = "--results", description = "result rows for --instances (default results/verify/<csv name>.csv)")
    Path results;

    @Option(names = "--timeout-scale", description = "multiply every instance's timeout (default 1)")
    double scale = 1;

    @Override
    public Integer call() throws Exception {
        if (instances != null) return batch();
        if (files.size() != 2) throw new InputError("verify: expected NET.onnx SPEC.vnnlib, or --instances CSV");
        if (!(timeout > 0)) throw new InputError("verify: --timeout must be > 0, got " + timeout);
        Network net = ModelFiles.loadBoundable(files.get(0));
        Property p = Vnnlib.parse(files.get(1), net.inputSize(), net.numClasses());
        Verifier.Verdict v = new Verifier(net, p).run(timeout);
        System.out.println(v.result());
        System.err.printf("%s in %.2f s (%s)%n", v.result(), v.seconds(), v.method());
        if (out != null) Files.writeString(out, v.result().equals("sat") ? Vnnlib.counterexample(v.x(), v.y()) : v.result() + "\n");
        return 0;
    }

    private int batch() throws Exception {
        Path res = results != null ? results : Path.of("results", "verify", instances.getFileName().toString());
        List<InstanceBatch.Row> rows = InstanceBatch.run(instances, res, scale, System.err);
        long unsat = rows.stream().filter(r -> r.result().equals("unsat")).count();
        long sat = rows.stream().filter(r -> r.result().equals("sat")).count();
        double[] t = rows.stream().mapToDouble(InstanceBatch.Row::seconds).sorted().toArray();
        double total = java.util.Arrays.stream(t).sum();
        System.out.printf("%d instances: %d unsat, %d sat, %d timeout; median %.2f s, total %.1f s; rows in %s%n", rows.size(), unsat, sat,
                rows.size() - unsat - sat, t.length == 0 ? 0 : t[t.length / 2], total, res);
        return 0;
    }
}
