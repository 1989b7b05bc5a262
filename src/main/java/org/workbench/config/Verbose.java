package org.workbench.config;

/**
 * Whether diagnostic lines (branch-and-bound rounds, refinement steps, input-split statistics) go to standard error:
 * the one {@code --verbose} flag of the commands, in place of per-module debug switches.
 */
public final class Verbose {
    private static volatile boolean on;

    private Verbose() {}

    public static boolean on() {
        return on;
    }

    public static void set(boolean value) {
        on = value;
    }
}
