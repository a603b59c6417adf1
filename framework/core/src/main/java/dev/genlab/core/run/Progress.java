package dev.genlab.core.run;

import dev.genlab.core.sweep.Trial;
import java.util.Map;

/** Receives progress of a sweep; the console implementation prints it on stderr. */
public interface Progress {

    /**
     * @param position 1-based position of the trial in this run
     * @param total number of trials in this run
     * @param trial the trial starting
     */
    void trialStarted(int position, int total, Trial trial);

    /**
     * @param step steps done
     * @param total steps planned
     * @param losses the latest losses
     */
    void step(int step, int total, Map<String, Double> losses);

    /** @param result the trial's outcome */
    void trialEnded(TrialResult result);

    /** A progress sink that prints nothing ({@code --quiet}). */
    Progress SILENT = new Progress() {
        @Override
        public void trialStarted(int position, int total, Trial trial) {}

        @Override
        public void step(int step, int total, Map<String, Double> losses) {}

        @Override
        public void trialEnded(TrialResult result) {}
    };
}
