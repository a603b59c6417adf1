package dev.genlab.cli;

import com.google.inject.Injector;
import dev.genlab.core.run.Shard;
import dev.genlab.core.run.SweepRunner;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code genlab run SPEC --parallel N}: starts N worker processes (JVMs of this same genlab, with the same
 * spec, overrides and store), each with its own engine, that hand out the trials among themselves through
 * the store's trial claims; whoever ends the last trial writes the one summary. This process does not
 * train: it shows the workers' progress as one sweep, forwards SIGINT and SIGTERM to them, and exits with
 * the sweep's code.
 *
 * <p>Why processes and not threads: DJL's PyTorch engine has one {@code GradientCollector} and one random
 * generator per process, so trials on threads of one process cannot train at the same time.
 *
 * <p>Without {@code --resume} or a shard this is a new sweep: its parent run is created here, before the
 * workers start, and they count only the runs under it ({@code --sweep-parent}). With them, the workers join
 * the sweep as {@code --resume} workers do (its parent found, or created, here first so they agree on it).
 */
final class ParallelRun implements Callable<Integer> {

    private final SpecArguments args;
    private final CommonOptions common;
    private final ScaleOptions scale;
    private final Shard shard;
    private final CommandLine commandLine;
    private final PrintStream err = System.err;

    ParallelRun(SpecArguments args, CommonOptions common, ScaleOptions scale, Shard shard, CommandLine commandLine) {
        this.args = args;
        this.common = common;
        this.scale = scale;
        this.shard = shard;
        this.commandLine = commandLine;
    }

    /** One worker process and what it said. */
    private static final class Worker {
        final int number;
        final Process process;
        final StringBuilder table = new StringBuilder();
        /** From its result event: results it has, trials planned, failures, 1 if it summarised; null until then. */
        volatile long[] result;
        final List<Thread> readers = new ArrayList<>();

        Worker(int number, Process process) {
            this.number = number;
            this.process = process;
        }
    }

    @Override
    public Integer call() throws Exception {
        boolean joins = scale.worker(System::getenv) || shard != null;
        Injector injector = common.injector(joins, shard, null, null);
        SpecArguments.Plan plan = args.plan(injector);
        String parent = injector.getInstance(SweepRunner.class).openParent(plan.spec(), plan.trials(), joins);
        int toRun = shard == null ? plan.trials().size() : shard.select(plan.trials()).size();
        int n = Math.min(scale.parallel, Math.max(1, toRun));
        int threads = threadsPerWorker(n);
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors() / n);
        if (!common.quiet) {
            err.printf(Locale.ROOT, "genlab: %d worker processes for %d trial(s) of sweep %s (%d PyTorch thread(s) "
                    + "and %d core(s) each)%n", n, toRun, parent, threads, cores);
        }

        SweepProgress progress = new SweepProgress(err, toRun, common.quiet, !joins);
        List<Worker> workers = new ArrayList<>();
        AtomicInteger signals = new AtomicInteger();
        SignalHandler forward = sig -> {
            if (signals.incrementAndGet() == 1) {
                err.println("genlab: SIG" + sig.getName() + " received: stopping the workers (their trials end KILLED "
                        + "after a checkpoint; resume with --resume); signal again to quit at once");
            }
            // Each worker ends on its first SIGTERM after a checkpoint, and at once on its second.
            synchronized (workers) {
                workers.forEach(w -> w.process.destroy());
            }
        };
        SignalHandler[] previous = {handle("INT", forward), handle("TERM", forward)};
        try {
            synchronized (workers) {
                for (int i = 1; i <= n && signals.get() == 0; i++) {
                    workers.add(start(i, n, workerArgs(parent, joins, threads), threads, cores, progress));
                }
            }
            for (Worker w : workers) {
                w.process.waitFor();
                for (Thread t : w.readers) {
                    t.join();
                }
            }
            progress.close();
        } finally {
            restore("INT", previous[0]);
            restore("TERM", previous[1]);
        }
        return outcome(workers, signals.get() > 0);
    }

    /**
     * PyTorch intra-op threads per worker: {@code --threads}, if given, is the sweep's total, divided among
     * the workers; else one each (the default of a single run, best for the 2-D toys).
     */
    private int threadsPerWorker(int n) {
        boolean given = commandLine.getParseResult().hasMatchedOption("--threads");
        return given ? Math.max(1, common.threads / n) : 1;
    }

    /** The command line of this run, minus what the parent decides for its workers, plus the worker switches. */
    private List<String> workerArgs(String parent, boolean joins, int threads) {
        List<String> original = commandLine.getParseResult().originalArgs();
        int run = original.indexOf("run");
        List<String> out = new ArrayList<>(List.of("run"));
        Set<String> withValue = Set.of("--parallel", "--threads", "--sweep-parent");
        Set<String> flags = Set.of("--worker-events", "-q", "--quiet");
        for (int i = run + 1; i < original.size(); i++) {
            String a = original.get(i);
            if (withValue.contains(a)) {
                i++;
            } else if (!flags.contains(a) && withValue.stream().noneMatch(o -> a.startsWith(o + "="))) {
                out.add(a);
            }
        }
        out.addAll(List.of("--parallel", "1", "--threads", Integer.toString(threads), "--quiet", "--worker-events"));
        if (!joins) {
            out.addAll(List.of("--sweep-parent", parent));
        }
        return out;
    }

    private Worker start(int number, int workers, List<String> genlabArgs, int threads, int cores,
            SweepProgress progress) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        boolean heapSet = false;
        for (String jvm : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // A debugger's port can be bound once; the processor count is the worker's share (below).
            if (!jvm.startsWith("-agentlib:jdwp") && !jvm.startsWith("-XX:ActiveProcessorCount")) {
                cmd.add(jvm);
                heapSet |= jvm.startsWith("-Xmx") || jvm.startsWith("-XX:MaxRAM");
            }
        }
        // The JVM sizes its GC and common pools by this; PyTorch's pools are set by --threads and the variables.
        cmd.add("-XX:ActiveProcessorCount=" + cores);
        if (!heapSet) {
            // Each JVM would otherwise allow itself a quarter of the RAM: N of them could exhaust it together.
            cmd.add(String.format(Locale.ROOT, "-XX:MaxRAMPercentage=%.2f", 75.0 / workers));
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(genlabArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
        pb.environment().put("MKL_NUM_THREADS", Integer.toString(threads));
        Process p = pb.start();
        p.getOutputStream().close();
        Worker w = new Worker(number, p);
        w.readers.add(reader("genlab-worker-" + number + "-out", p.getInputStream(), line -> {
            if (line.startsWith(WorkerEvents.MARKER + "\t")) {
                String[] f = line.split("\t", -1);
                if (f[1].equals("result") && f.length >= 6) {
                    w.result = new long[] {Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]),
                        Long.parseLong(f[5])};
                } else {
                    progress.event(number, f);
                }
            } else {
                w.table.append(line).append('\n');
            }
        }));
        w.readers.add(reader("genlab-worker-" + number + "-err", p.getErrorStream(),
                line -> err.println("[worker " + number + "] " + line)));
        return w;
    }

    private static Thread reader(String name, InputStream in, java.util.function.Consumer<String> onLine) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    onLine.accept(line);
                }
            } catch (IOException e) {
                // The worker is gone; its exit code tells what happened.
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * The sweep's exit code from its workers': 130 if this run was signalled; 2 if a worker met bad input;
     * when a worker saw the sweep complete, 0 or 1 by its failures (its table is printed); else 130 if a
     * worker was stopped or killed, with how to finish, or the highest worker code (0 or 1).
     */
    private int outcome(List<Worker> workers, boolean signalled) {
        PrintWriter out = commandLine.getOut();
        // The summariser's table has the report and the server's links; another that saw the sweep complete
        // has the same numbers.
        Worker complete = workers.stream().filter(w -> w.result != null && w.result[0] == w.result[1]
                && w.process.exitValue() != ExitCodes.INTERRUPTED)
                .max(java.util.Comparator.comparingLong(w -> w.result[3])).orElse(null);
        if (complete != null) {
            out.print(complete.table);
        } else {
            workers.stream().filter(w -> w.result != null && w.result[0] > 0).forEach(w -> out.print(w.table));
        }
        out.flush();
        TreeMap<Integer, Integer> codes = new TreeMap<>();
        workers.forEach(w -> codes.merge(w.process.exitValue(), w.number, (a, b) -> a));
        if (signalled) {
            return ExitCodes.INTERRUPTED;
        }
        if (codes.containsKey(ExitCodes.BAD_INPUT)) {
            return ExitCodes.BAD_INPUT;
        }
        if (complete != null) {
            return complete.result[2] == 0 ? ExitCodes.OK : ExitCodes.TRIAL_FAILED;
        }
        int worst = codes.lastKey();
        if (worst > ExitCodes.BAD_INPUT) {
            err.printf(Locale.ROOT, "genlab: worker %d exited with code %d before the sweep was complete; "
                    + "`genlab run %s --resume` (same overrides and store) finishes it%n", codes.get(worst), worst,
                    args.specFile);
            return ExitCodes.INTERRUPTED;
        }
        return worst;
    }

    private static SignalHandler handle(String name, SignalHandler handler) {
        try {
            return Signal.handle(new Signal(name), handler);
        } catch (IllegalArgumentException e) {
            return null; // the signal does not exist here, or the JVM reserves it (-Xrs)
        }
    }

    private static void restore(String name, SignalHandler previous) {
        if (previous != null) {
            Signal.handle(new Signal(name), previous);
        }
    }
}
