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
import java.util.function.BooleanSupplier;

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

        /**
         * A periodic evaluation ({@code train.eval_every}).
         *
         * @param step 1-based step after which to evaluate
         * @return true to end training after this step
         */
        boolean evaluate(int step);

        /**
         * Saves a checkpoint ({@code train.checkpoint_every}, and when the sweep is cancelled).
         *
         * @param state the loop's state after {@code state.step()} steps
         */
        default void checkpoint(LoopState state) {}
    }

    private final Progress progress;
    private final EngineLock engine;
    private final Cancellation cancellation;
    private final BooleanSupplier claimLost;

    TrainingLoop(Progress progress) {
        this(progress, new EngineLock(), new Cancellation());
    }

    TrainingLoop(Progress progress, EngineLock engine, Cancellation cancellation) {
        this(progress, engine, cancellation, () -> false);
    }

    /**
     * @param engine serialises steps with other trials of this process and seeds each step
     * @param cancellation checked between steps
     * @param claimLost checked between steps: true once another process took the trial over
     */
    TrainingLoop(Progress progress, EngineLock engine, Cancellation cancellation, BooleanSupplier claimLost) {
        this.progress = progress;
        this.engine = engine;
        this.cancellation = cancellation;
        this.claimLost = claimLost;
    }

    static String claimLostMessage(int step) {
        return "stopped after step " + step + ": another process took over this trial's claim (this one had "
                + "looked gone to it); the run is that process's now";
    }

    /**
     * Trains for {@code train.steps()} steps.
     *
     * @throws TrialFailure on a NaN or infinite loss (after logging that step) or a plugin exception
     */
    TrainingOutcome run(Paradigm paradigm, HostData data, NDManager trialManager, TrainSpec train, long seed,
            Listener listener) {
        return run(paradigm, data, trialManager, train, seed, null, listener);
    }

    /**
     * Trains from a checkpoint's loop state (or from the start if {@code from} is null) to
     * {@code train.steps()}.
     *
     * @throws TrialCancelled when the sweep is cancelled (after a checkpoint of the current step)
     */
    TrainingOutcome run(Paradigm paradigm, HostData data, NDManager trialManager, TrainSpec train, long seed,
            LoopState from, Listener listener) {
        // Batching has its own generator so that a plugin drawing more or fewer host random numbers
        // does not change which examples later steps see.
        StateRandom order = new StateRandom(seed * 0x9E3779B97F4A7C15L + 17);
        int n = data.size();
        int batchSize = Math.min(train.batchSize(), n);
        int[] permutation = identity(n);
        int cursor = n;
        Map<String, List<Double>> history = from != null ? from.mutableHistory() : new LinkedHashMap<>();
        long stepNanos = 0;
        int first = 1;
        if (from != null) {
            order.restore(from.order());
            permutation = from.permutation().clone();
            cursor = from.cursor();
            stepNanos = from.stepNanos();
            first = from.step() + 1;
        }
        int logEvery = Math.max(1, train.logEvery());
        int last = train.steps();
        for (int step = first; step <= last; step++) {
            if (claimLost.getAsBoolean()) {
                throw new ClaimLost(claimLostMessage(step - 1)); // no checkpoint: it is the new holder's
            }
            if (cancellation.requested()) {
                listener.checkpoint(new LoopState(step - 1, order.snapshot(), permutation, cursor, history,
                        stepNanos));
                throw new TrialCancelled(step - 1);
            }
            if (cursor + batchSize > n) {
                shuffle(permutation, order);
                cursor = 0;
            }
            int[] rows = new int[batchSize];
            System.arraycopy(permutation, cursor, rows, 0, batchSize);
            cursor += batchSize;
            StepResult result;
            // Timed inside the lock: with parallel trials, waiting for another trial's step is not step time.
            long[] nanos = new long[1];
            long prepared;
            try (NDManager scope = trialManager.newSubManager()) {
                long t0 = System.nanoTime();
                NDArray x = data.rows(scope, rows);
                NDArray y = data.labels(scope, rows);
                prepared = System.nanoTime() - t0;
                result = engine.run(seed, step, () -> {
                    long t1 = System.nanoTime();
                    StepResult r = paradigm.trainStep(new Batch(x, y));
                    nanos[0] = System.nanoTime() - t1;
                    return r;
                });
            } catch (RuntimeException e) {
                throw new TrialFailure("step " + step + ": " + describe(e), e);
            }
            stepNanos += prepared + nanos[0];
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
            if (train.evalEvery() > 0 && step % train.evalEvery() == 0 && step < train.steps()
                    && listener.evaluate(step)) {
                if (step % logEvery != 0) {
                    listener.log(step, losses); // the last step's losses, as at a normal end
                }
                last = step; // stopped early: no checkpoint needed, the final evaluation follows
                break;
            }
            if (train.checkpointEvery() > 0 && step % train.checkpointEvery() == 0 && step < train.steps()) {
                listener.checkpoint(new LoopState(step, order.snapshot(), permutation, cursor, history, stepNanos));
            }
        }
        // Only step time: periodic evaluations, checkpoints and logging between steps are not training.
        double stepSeconds = last == 0 ? 0 : stepNanos / 1e9 / last;
        return new TrainingOutcome(history, last, stepSeconds);
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
