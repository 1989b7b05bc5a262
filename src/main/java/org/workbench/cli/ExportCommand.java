package org.workbench.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.workbench.config.InputError;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.net.OnnxExporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a model (architecture file or ONNX) as an ONNX file (opset 13, float32 weights).")
public final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "architecture file (.yaml) or ONNX file (.onnx)")
    Path model;

    @Option(names = "--onnx", required = true, description = "the ONNX file to write")
    Path onnx;

    @Override
    public Integer call() throws IOException {
        Network net = ModelFiles.load(model);
        Path dir = onnx.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) throw InputError.at(onnx, 0, "--onnx", "the folder " + dir + " does not exist");
        if (Files.isDirectory(onnx)) throw InputError.at(onnx, 0, "--onnx", "is a folder; expected a file name");
        OnnxExporter.write(net, onnx);
        System.out.printf("%s: %d layers, %,d parameters, input %s, %d classes%n", onnx, net.layers().size(),
                net.parameterCount(), java.util.Arrays.toString(net.inputShape()), net.numClasses());
        return 0;
    }
}
