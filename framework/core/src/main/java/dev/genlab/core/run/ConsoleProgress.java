package dev.genlab.core.run;

import dev.genlab.core.sweep.Trial;
import dev.genlab.tracking.RunStatus;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Prints trial i/n, step/total, losses, steps/s and ETA to stderr. Step lines are throttled to one per
 * {@code intervalMs} (plus the last step) so that logs stay readable when stderr is a file. The per-trial
 * state is per thread, for sweep runners that share one JVM on threads ({@code --parallel} uses processes,
 * whose progress {@code genlab} aggregates itself).
 */
public final class ConsoleProgress implements Progress {

    private final PrintStream out;
    private final LongSupplier clockNanos;
    private final long intervalNanos;
    private final ThreadLocal<State> state = ThreadLocal.withInitial(State::new);

    /** What is printed about the trial running on one thread. */
    private static final class State {
        int position;
        int total;
        String name = "";
        long trialStart;
        long lastPrint;
    }

    /**
     * @param out where to print (stderr in the CLI)
     * @param clockNanos a monotonic clock, {@code System::nanoTime} in production
     * @param intervalMs minimum time between two step lines
     */
    public ConsoleProgress(PrintStream out, LongSupplier clockNanos, long intervalMs) {
        this.out = out;
        this.clockNanos = clockNanos;
        this.intervalNanos = intervalMs * 1_000_000L;
    }

    @Override
    public void trialStarted(int position, int total, Trial trial) {
        State st = state.get();
        st.position = position;
        st.total = total;
        st.name = trial.runName();
        st.trialStart = clockNanos.getAsLong();
        st.lastPrint = st.trialStart;
        String name = st.name;
        out.printf(Locale.ROOT, "[trial %d/%d] %s (%s) hash=%s%n", position, total, name, trial.plugin(),
                trial.hash());
    }

    @Override
    public void step(int step, int totalSteps, Map<String, Double> losses) {
        State st = state.get();
        long now = clockNanos.getAsLong();
        if (step < totalSteps && now - st.lastPrint < intervalNanos) {
            return;
        }
        st.lastPrint = now;
        double seconds = (now - st.trialStart) / 1e9;
        double rate = seconds > 0 ? step / seconds : 0;
        double eta = rate > 0 ? (totalSteps - step) / rate : 0;
        String lossText = losses.entrySet().stream()
                .map(e -> e.getKey() + "=" + String.format(Locale.ROOT, "%.4g", e.getValue()))
                .collect(Collectors.joining(" "));
        out.printf(Locale.ROOT, "[trial %d/%d] step %d/%d %s | %.1f steps/s | ETA %s%n", st.position, st.total, step,
                totalSteps, lossText, rate, duration(eta));
    }

    @Override
    public void trialEnded(TrialResult result) {
        State st = state.get();
        String detail = result.status() == RunStatus.FINISHED ? "" : ": " + result.failure();
        out.printf(Locale.ROOT, "[trial %d/%d] %s %s in %.1fs%s%n", st.position, st.total, st.name,
                result.pruned() ? "PRUNED" : result.status(),
                result.wallSeconds(), detail);
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
