package dev.genlab.core.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.genlab.api.Batch;
import dev.genlab.api.Paradigm;
import dev.genlab.api.StepResult;
import dev.genlab.core.spec.TrainSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The framework-owned optimisation loop: batching (seeded epoch permutations), one
 * {@link Paradigm#trainStep} per step inside its own NDManager scope, loss bookkeeping, divergence
 * detection, logging cadence and evaluation cadence. Plugins never see the loop.
 */
final class TrainingLoop {

    /** Receives losses to log and evaluation points. */
    interface Listener {
        /**
         * @param step 1-based step
         * @param losses losses of that step
         */
        void log(int step, Map<String, Double> losses);

        /** @param step 1-based step after which to evaluate */
        void evaluate(int step);
    }

    private final Progress progress;

    TrainingLoop(Progress progress) {
        this.progress = progress;
    }

    /**
     * Trains for {@code train.steps()} steps.
     *
     * @throws TrialFailure on a NaN or infinite loss (after logging that step) or a plugin exception
     */
    TrainingOutcome run(Paradigm paradigm, HostData data, NDManager trialManager, TrainSpec train, long seed,
            Listener listener) {
        // Batching has its own generator so that a plugin drawing more or fewer host random numbers
        // does not change which examples later steps see.
        Random order = new Random(seed * 0x9E3779B97F4A7C15L + 17);
        int n = data.size();
        int batchSize = Math.min(train.batchSize(), n);
        int[] permutation = identity(n);
        int cursor = n;
        Map<String, List<Double>> history = new LinkedHashMap<>();
        long stepNanos = 0;
        int logEvery = Math.max(1, train.logEvery());
        for (int step = 1; step <= train.steps(); step++) {
            if (cursor + batchSize > n) {
                shuffle(permutation, order);
                cursor = 0;
            }
            int[] rows = new int[batchSize];
            System.arraycopy(permutation, cursor, rows, 0, batchSize);
            cursor += batchSize;
            StepResult result;
            long t0 = System.nanoTime();
            try (NDManager scope = trialManager.newSubManager()) {
                NDArray x = data.rows(scope, rows);
                NDArray y = data.labels(scope, rows);
                result = paradigm.trainStep(new Batch(x, y));
            } catch (RuntimeException e) {
                throw new TrialFailure("step " + step + ": " + describe(e), e);
            }
            stepNanos += System.nanoTime() - t0;
            Map<String, Double> losses = result.values();
            losses.forEach((k, v) -> history.computeIfAbsent(k, key -> new ArrayList<>()).add(v));
            String bad = firstNonFinite(losses);
            if (bad != null) {
                listener.log(step, losses);
                throw new TrialFailure("diverged at step " + step + ": " + bad + " = " + losses.get(bad));
            }
            if (step % logEvery == 0 || step == train.steps()) {
                listener.log(step, losses);
            }
            progress.step(step, train.steps(), losses);
            if (train.evalEvery() > 0 && step % train.evalEvery() == 0 && step < train.steps()) {
                listener.evaluate(step);
            }
        }
        double stepSeconds = train.steps() == 0 ? 0 : stepNanos / 1e9 / train.steps();
        return new TrainingOutcome(history, train.steps(), stepSeconds);
    }

    static String describe(Throwable e) {
        String msg = e.getMessage();
        return e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
    }

    private static String firstNonFinite(Map<String, Double> losses) {
        for (Map.Entry<String, Double> e : losses.entrySet()) {
            if (!Double.isFinite(e.getValue())) {
                return e.getKey();
            }
        }
        return null;
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    private static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
