package dev.genlab.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The {@code --parallel} parent's view of its workers' progress ({@link WorkerEvents}) as one sweep, on
 * stderr: a line when a trial starts and when it ends, and every 10 s a status line of the trials in
 * training, each with the sweep's ETA. Silent with {@code --quiet}.
 *
 * <p>The ETA assumes the remaining trials cost what the ended ones did: elapsed time times the work left
 * over the work done, counting a trial in training by its fraction of steps.
 */
final class SweepProgress {

    private static final long STATUS_INTERVAL_NANOS = 10_000_000_000L;

    private final PrintStream out;
    private final int trials;
    private final boolean quiet;
    private final boolean eta;
    private final long start = System.nanoTime();
    /** The trial each worker trains now, by worker number. */
    private final Map<Integer, Training> training = new TreeMap<>();
    private int ended;
    private long lastStatus = start;
    private final Thread ticker;

    /** What one worker trains. */
    private static final class Training {
        final String position;
        final String total;
        final String name;
        int step;
        int steps = 1;

        Training(String position, String total, String name) {
            this.position = position;
            this.total = total;
            this.name = name;
        }
    }

    /**
     * @param out where to print
     * @param trials how many trials this run is to train (the plan, or its shard)
     * @param quiet print nothing
     * @param eta estimate the time left: false when joining a sweep, whose trials that ended before are
     *     skipped without a word from the workers, so the work left is not known
     */
    SweepProgress(PrintStream out, int trials, boolean quiet, boolean eta) {
        this.out = out;
        this.trials = trials;
        this.quiet = quiet;
        this.eta = eta;
        ticker = new Thread(this::tick, "genlab-progress");
        ticker.setDaemon(true);
        if (!quiet) {
            ticker.start();
        }
    }

    /**
     * @param worker the worker's number
     * @param f the event's fields (marker, kind, values), as {@link WorkerEvents} writes them
     */
    synchronized void event(int worker, String[] f) {
        switch (f[1]) {
            case "start" -> {
                training.put(worker, new Training(f[2], f[3], f[4]));
                print("[trial %s/%s] %s (%s) on worker %d", f[2], f[3], f[4], f[5], worker);
            }
            case "step" -> {
                Training t = training.get(worker);
                if (t != null) {
                    t.step = Integer.parseInt(f[3]);
                    t.steps = Math.max(1, Integer.parseInt(f[4]));
                }
            }
            case "end" -> {
                Training t = training.remove(worker);
                ended++;
                String name = t == null ? "" : t.name;
                String pos = t == null ? f[2] : t.position + "/" + t.total;
                print("[trial %s] %s %s in %s s on worker %d | %d/%d ended%s", pos, name, f[3], f[4], worker, ended,
                        trials, eta());
            }
            default -> { } // an event of a newer worker: nothing to show
        }
    }

    /** Stops the status lines. */
    void close() {
        ticker.interrupt();
    }

    private void tick() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                long now = System.nanoTime();
                if (now - lastStatus >= STATUS_INTERVAL_NANOS && !training.isEmpty()) {
                    lastStatus = now;
                    String running = training.values().stream()
                            .map(t -> String.format(Locale.ROOT, "trial %s step %d/%d", t.position, t.step, t.steps))
                            .collect(Collectors.joining(", "));
                    print("[sweep] %d/%d ended; training %s | %s elapsed%s", ended, trials, running,
                            duration((now - start) / 1e9), eta());
                }
            }
        }
    }

    private String eta() {
        double done = ended;
        for (Training t : training.values()) {
            done += Math.min(1.0, (double) t.step / t.steps);
        }
        if (!eta || done <= 0 || ended >= trials) {
            return "";
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        return " | ETA " + duration(elapsed * Math.max(0, trials - done) / done);
    }

    private void print(String format, Object... values) {
        if (!quiet) {
            out.println(String.format(Locale.ROOT, format, values));
            out.flush();
        }
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
