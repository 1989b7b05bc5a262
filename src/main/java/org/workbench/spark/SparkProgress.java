package org.workbench.spark;

import java.io.PrintStream;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

/**
 * The driver's progress line for a distributed solve: units done and failed (from the driver's merge), task attempts
 * retried and failed (from Spark's listener bus: a lost executor shows up here before its unit is done again), and the
 * time left at the pace so far. Printed at most every 2 s, and at the end.
 */
final class SparkProgress extends SparkListener {
    private final int units;
    private final PrintStream log;
    private final long start = System.nanoTime();
    private long lastPrint;
    private int endedAtPrint = -1;
    private int done;
    private int failed;
    private volatile int retried;
    private volatile int taskFailures;

    SparkProgress(int units, PrintStream log) {
        this.units = units;
        this.log = log;
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart e) {
        if (e.taskInfo().attemptNumber() > 0) retried++;
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
        if (e.taskInfo().failed() || e.taskInfo().killed()) taskFailures++;
    }

    synchronized void unitEnded(boolean ok) {
        if (ok) done++;
        else failed++;
        print(false);
    }

    synchronized void print(boolean last) {
        long now = System.nanoTime();
        int ended = done + failed;
        if (last ? ended == endedAtPrint : now - lastPrint < 2e9) return;
        lastPrint = now;
        endedAtPrint = ended;
        double el = (now - start) / 1e9;
        String left = ended == 0 ? "?" : String.format("%.0f", el / ended * (units - ended));
        log.printf("spark: %d/%d units done, %d failed, %d task attempts retried (%d failed), %.1f s, about %s s left%n",
                done, units, failed, retried, taskFailures, el, left);
    }
}
