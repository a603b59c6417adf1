package dev.genlab.cli;

import dev.genlab.core.run.Progress;
import dev.genlab.core.run.TrialResult;
import dev.genlab.core.sweep.Trial;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * A worker process's progress, for the {@code --parallel} parent that started it: one line per event on
 * stdout, tab-separated after a marker the parent recognises (other stdout lines are the worker's summary
 * table). Step events are throttled to one per second (plus the last step).
 *
 * <pre>
 * MARKER start    position total name plugin
 * MARKER step     position step total
 * MARKER end      position status seconds
 * MARKER result   trials planned failures summarised   (before the table; trials = planned: the sweep is complete;
 *                                                     summarised 1: this worker wrote the summary and report)
 * </pre>
 */
final class WorkerEvents implements Progress {

    /** Starts every event line. */
    static final String MARKER = "@@genlab-worker";

    private static final long STEP_INTERVAL_NANOS = 1_000_000_000L;

    private final PrintStream out;
    private volatile int position;
    private long lastStep;

    WorkerEvents(PrintStream out) {
        this.out = out;
    }

    @Override
    public void trialStarted(int position, int total, Trial trial) {
        this.position = position;
        lastStep = System.nanoTime();
        emit("start", position, total, trial.runName(), trial.plugin());
    }

    @Override
    public void step(int step, int total, Map<String, Double> losses) {
        long now = System.nanoTime();
        if (step < total && now - lastStep < STEP_INTERVAL_NANOS) {
            return;
        }
        lastStep = now;
        emit("step", position, step, total);
    }

    @Override
    public void trialEnded(TrialResult result) {
        emit("end", position, result.pruned() ? "PRUNED" : result.status(), String.format(Locale.ROOT, "%.1f", result.wallSeconds()));
    }

    /**
     * The worker's outcome: how many results it has, of how many planned, how many did not finish, and
     * whether it wrote the summary (its table then has the report's path and the server's links).
     */
    void result(int trials, int planned, long failures, boolean summarised) {
        emit("result", trials, planned, failures, summarised ? 1 : 0);
    }

    private void emit(String kind, Object... fields) {
        StringBuilder b = new StringBuilder(MARKER).append('\t').append(kind);
        for (Object f : fields) {
            // Names come from the spec; a tab or line break in one must not split the event.
            b.append('\t').append(String.valueOf(f).replace('\t', ' ').replace('\n', ' '));
        }
        synchronized (out) {
            out.println(b);
            out.flush();
        }
    }
}
