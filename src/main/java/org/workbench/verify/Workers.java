package org.workbench.verify;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Threads that bound parts of one batch at once. libtorch runs each of the branch and bound's small operations on
 * one core, so a second core only helps through a second batch. {@code -Dworkbench.threads} (default: the cores,
 * at most 2).
 */
final class Workers {
    static final int THREADS = Integer.getInteger("workbench.threads", Math.min(2, Runtime.getRuntime().availableProcessors()));

    private static final ExecutorService POOL = Executors.newFixedThreadPool(THREADS, r -> {
        Thread t = new Thread(r, "workbench-bounds");
        t.setDaemon(true);
        return t;
    });

    private Workers() {}

    /** How many parts a batch of n items is cut into: one per thread, each at least {@code least} items. */
    static int parts(int n, int least) {
        return Math.max(1, Math.min(THREADS, n / least));
    }

    /** Runs the tasks at once and returns their results in order; a task's failure is rethrown. */
    static <T> List<T> all(List<Callable<T>> tasks) {
        if (tasks.size() == 1) {
            try {
                return List.of(tasks.get(0).call());
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        List<Future<T>> futures = new ArrayList<>();
        for (Callable<T> task : tasks) futures.add(POOL.submit(task));
        List<T> out = new ArrayList<>();
        try {
            for (Future<T> f : futures) out.add(f.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while bounding", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
        return out;
    }
}
