package dev.genlab.core.run;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * Runs a sweep's trials on N worker threads of this process ({@code --parallel N}), results in plan order.
 * One worker runs everything on the calling thread. Once the sweep is cancelled no further trial starts;
 * trials that never started are left out of the results.
 */
final class ParallelTrials {

    private ParallelTrials() {}

    /**
     * @param workers trials at once
     * @param trials what to run, in plan order
     * @param cancellation stops starting new trials
     * @param task runs one trial, given its 0-based position
     * @return the results of the trials that ran, in plan order
     */
    static <T, R> List<R> run(int workers, List<T> trials, Cancellation cancellation,
            BiFunction<Integer, T, R> task) {
        List<R> results = new ArrayList<>(trials.size());
        if (workers <= 1 || trials.size() <= 1) {
            for (int i = 0; i < trials.size() && !cancellation.requested(); i++) {
                results.add(task.apply(i, trials.get(i)));
            }
            return results;
        }
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(workers, trials.size()), r -> {
            Thread t = new Thread(r, "genlab-trial-" + threads.incrementAndGet());
            t.setDaemon(true); // a stuck plugin must not keep the JVM alive after the sweep gave up on it
            return t;
        });
        try {
            List<Future<R>> futures = new ArrayList<>(trials.size());
            for (int i = 0; i < trials.size(); i++) {
                int position = i;
                T trial = trials.get(i);
                futures.add(pool.submit(() -> cancellation.requested() ? null : task.apply(position, trial)));
            }
            for (Future<R> f : futures) {
                R r = await(f);
                if (r != null) {
                    results.add(r);
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Runs {@code workers} copies of a worker loop at once (on this thread alone for one) and waits for all.
     *
     * @param workers how many
     * @param worker the loop; it handles its own errors
     */
    static void workers(int workers, Runnable worker) {
        if (workers <= 1) {
            worker.run();
            return;
        }
        List<Thread> threads = new ArrayList<>(workers);
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(worker, "genlab-worker-" + (i + 1));
            t.setDaemon(true); // a stuck plugin must not keep the JVM alive after the sweep gave up on it
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for workers", e);
            }
        }
    }

    private static <R> R await(Future<R> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            // Trials are stopped through the cancellation, never by interrupting this thread.
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for trials", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }
}
