package dev.genlab.cli;

import static dev.genlab.cli.CliEndToEndTest.genlab;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genlab.tracking.local.LocalRunStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code genlab run} of a sweep with early stopping, on the real gaussian plugin: a configuration that
 * starts and stays far too wide is pruned by the median rule, the summary says so, the exit code is 0, and
 * {@code --resume} trains nothing again.
 */
class EarlyStopCliTest {

    @TempDir
    Path tmp;

    @Test
    void prunedTrialsLeaveExitCodeZeroAndAreNotRerun() throws Exception {
        Path spec = tmp.resolve("spec.yaml");
        // Early-stopped sweeps train in an order shuffled by the seed: 14 gives trials 1, 0, 2 (the good
        // configuration) first, so all three wide ones meet three completed trials.
        Files.writeString(spec, """
                name: early-stop-cli
                seed: 14
                dataset: {name: ring8, params: {n: 2000, std: 0.2}}
                train: {steps: 40, batch_size: 64, log_every: 10, eval_every: 10}
                evaluate: {samples: 300, metrics: [prdc], periodic_samples: 300}
                paradigms:
                  - {name: g, plugin: gaussian, params: {lr: 0.05}}
                sweep:
                  seeds: [0, 1, 2]
                  parameters: {g.init_std: [0.7, 30.0]}
                  objective: {metric: precision, mode: max}
                  early_stop: {type: median, grace_steps: 10, min_trials: 3}
                """);
        Path store = tmp.resolve("runs");
        CliEndToEndTest.Outcome run = genlab("run", spec.toString(), "--store", store.toString(), "--quiet");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("6 trial(s), 3 pruned, 0 failed"), run.out());
        assertTrue(run.out().contains("PRUNED g init_std=30.0 seed=2: median rule at step 10"), run.out());
        int runs = new LocalRunStore(store).readRuns("early-stop-cli").size();

        CliEndToEndTest.Outcome again = genlab("run", spec.toString(), "--store", store.toString(), "--quiet",
                "--resume");
        assertEquals(0, again.code(), again.err());
        assertEquals(runs, new LocalRunStore(store).readRuns("early-stop-cli").size(), "no trial trained again");
        assertTrue(again.out().contains("6 trial(s), 3 pruned, 0 failed"), again.out());
    }
}
