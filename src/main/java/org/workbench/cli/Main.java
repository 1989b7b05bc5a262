package org.workbench.cli;

import java.io.PrintWriter;
import org.workbench.config.InputError;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code workbench solve|train|info|data ...}. User errors exit 2 with one line, no trace. */
@Command(name = "workbench", mixinStandardHelpOptions = true, version = "workbench 0.1.0",
        description = "Adversarial robustness workbench: attacks (lower bounds), exact answers and relaxations (upper bounds).",
        subcommands = {SolveCommand.class, VerifyCommand.class, ReportCommand.class, PlotCommand.class, TrainCommand.class, InfoCommand.class, DataCommand.class, ExportCommand.class, AttackCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (tests call this instead of main). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof InputError) {
                cmd.getErr().println("workbench: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("workbench: " + ex.getMessage());
            return 2;
        });
        cl.setErr(new PrintWriter(System.err, true));
        return cl.execute(args);
    }
}
