package dev.genlab.cli;

import dev.genlab.core.run.Cancellation;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Turns Ctrl-C (SIGINT) and SIGTERM (what Slurm and Kubernetes send before killing a job) into a
 * cancellation of the sweep: the running trials checkpoint and end KILLED, the tracker is flushed and
 * closed, and {@code genlab run} exits 130. A JVM shutdown hook cannot do this, because a hook starts only
 * once shutdown has begun and the tracker already refuses records. A second signal exits at once (130);
 * the MLflow tracker's shutdown hook still sends what it can.
 */
final class Interrupts implements AutoCloseable {

    private static final String[] SIGNALS = {"INT", "TERM"};

    private final SignalHandler[] previous = new SignalHandler[SIGNALS.length];

    /**
     * @param cancellation what the first signal requests
     * @param err where to say so
     */
    Interrupts(Cancellation cancellation, PrintWriter err) {
        this(cancellation, err, false);
    }

    /**
     * @param cancellation what the first signal requests
     * @param err where to say so
     * @param worker a worker process of {@code --parallel}: SIGINT is ignored, because Ctrl-C in a terminal
     *     reaches the whole process group and the parent forwards it as SIGTERM; taken twice, it would skip
     *     the checkpoint
     */
    Interrupts(Cancellation cancellation, PrintWriter err, boolean worker) {
        AtomicInteger count = new AtomicInteger();
        SignalHandler handler = sig -> {
            if (count.incrementAndGet() == 1) {
                err.println("genlab: SIG" + sig.getName() + " received: ending the running trial(s) as KILLED after "
                        + "a checkpoint (resume with --resume); signal again to quit at once");
                err.flush();
                cancellation.request();
            } else {
                System.exit(ExitCodes.INTERRUPTED);
            }
        };
        for (int i = 0; i < SIGNALS.length; i++) {
            try {
                boolean ignore = worker && SIGNALS[i].equals("INT");
                previous[i] = Signal.handle(new Signal(SIGNALS[i]), ignore ? SignalHandler.SIG_IGN : handler);
            } catch (IllegalArgumentException e) {
                previous[i] = null; // the signal does not exist here, or the JVM reserves it (-Xrs)
            }
        }
    }

    /** Restores the previous handlers (the command is over). */
    @Override
    public void close() {
        for (int i = 0; i < SIGNALS.length; i++) {
            if (previous[i] != null) {
                Signal.handle(new Signal(SIGNALS[i]), previous[i]);
            }
        }
    }
}
