package org.workbench.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "info", mixinStandardHelpOptions = true, description = "Print a model's layers, shapes and parameter counts.")
public final class InfoCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "architecture file (.yaml) or ONNX file (.onnx)")
    Path model;

    @Override
    public Integer call() {
        Network net = ModelFiles.load(model);
        System.out.println(model);
        System.out.print(net.describe());
        return 0;
    }
}
