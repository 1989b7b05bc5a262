package org.workbench.verify;

/**
 * A line on standard error every few seconds of a long search (subdomains done and open, the largest gap a bound
 * leaves, time left), so that a run of minutes shows where it stands. {@code -Dworkbench.progress.seconds=0} turns
 * it off.
 */
final class Progress {
    private static final double PERIOD_SECONDS = Double.parseDouble(System.getProperty("workbench.progress.seconds", "15"));

    private final String what;
    private final long start = System.nanoTime(), deadline;
    private long next;

    Progress(String what, long deadlineNanos) {
        this.what = what;
        this.deadline = deadlineNanos;
        this.next = start + (long) (PERIOD_SECONDS * 1e9);
    }

    /** Reports if a period has passed; {@code gap}: how far the most open subdomain's bound is from closing it. */
    void report(long done, long open, double gap) {
        long now = System.nanoTime();
        if (PERIOD_SECONDS <= 0 || now < next) return;
        next = now + (long) (PERIOD_SECONDS * 1e9);
        String left = deadline == Long.MAX_VALUE ? "" : String.format(", %.0f s left", (deadline - now) / 1e9);
        System.err.printf("%s: %.0f s, %,d done, %,d open, largest gap to a proof %.4g%s%n", what, (now - start) / 1e9, done, open, gap, left);
    }
}
