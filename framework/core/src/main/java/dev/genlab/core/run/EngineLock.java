package dev.genlab.core.run;

import ai.djl.engine.Engine;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Reseeds the engine's generator before every training step, model creation and evaluation, from the
 * trial's seed and the section's step: what makes checkpoints resume bit for bit (see {@link Checkpoints}).
 * {@code genlab run} trains one trial at a time per process ({@code --parallel N} starts N processes), so
 * the lock is uncontended there; it serialises these sections when several sweep runners share one JVM
 * (an application embedding genlab, or tests that run workers on threads), because DJL's PyTorch engine
 * allows one {@code GradientCollector} per process at a time (a second one throws) and has one global
 * generator.
 */
final class EngineLock {

    /** The lock of this process: every sweep runner of the process shares it, as they share the engine. */
    static final EngineLock PROCESS = new EngineLock();

    private final ReentrantLock lock = new ReentrantLock(true);
    /** Threads whose engine-side state was set up (see {@link #prepareThread}). */
    private final ThreadLocal<Boolean> prepared = ThreadLocal.withInitial(() -> false);

    /**
     * Runs an action alone, with the engine generator seeded for it.
     *
     * @param seed the trial seed
     * @param section a number unique within the trial: the step for a training step, negative for others
     * @param action the action
     * @return its result
     */
    <T> T run(long seed, long section, Supplier<T> action) {
        lock.lock();
        try {
            prepareThread();
            Engine.getInstance().setRandomSeed(seedFor(seed, section));
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    /**
     * PyTorch's autograd switch is per thread, and a new thread starts with it on, whereas DJL switches it
     * off on the thread that starts the engine and turns it on only inside a {@code GradientCollector}.
     * A trial on a worker thread would otherwise record graphs for its in-place optimiser updates, which
     * PyTorch refuses on leaf tensors ("a leaf Variable that requires grad is being used in an in-place
     * operation"). So each thread gets DJL's default once.
     */
    private void prepareThread() {
        if (prepared.get()) {
            return;
        }
        if ("PyTorch".equals(Engine.getInstance().getEngineName())) {
            ai.djl.pytorch.jni.JniUtils.setGradMode(false);
        }
        prepared.set(true);
    }

    /** A well-mixed 31-bit seed (SplitMix64's finaliser), so neighbouring steps get unrelated streams. */
    static int seedFor(long seed, long section) {
        long z = seed * 0x9E3779B97F4A7C15L + section;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (int) (z & 0x7FFFFFFF);
    }
}
