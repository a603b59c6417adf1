package dev.genlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.local.LocalRunStore;
import dev.genlab.tracking.local.RunRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --parallel 2} with the Gaussian baseline, whose steps use a GradientCollector and in-place
 * optimiser updates: trials on worker threads must train (PyTorch's per-thread autograd state) and give the
 * numbers of a one-worker run.
 */
class ParallelCliTest {

    private static final String SPEC = """
            name: parallel-cli
            seed: 0
            dataset: {name: ring8, params: {n: 2000}}
            train: {steps: 120, batch_size: 128, log_every: 20}
            evaluate: {samples: 500, metrics: [modes, stability]}
            paradigms:
              - {name: gaussian, plugin: gaussian, params: {lr: 0.05}}
            sweep:
              seeds: [0, 1, 2]
            """;

    @TempDir
    Path tmp;

    @Test
    void twoWorkersTrainTheBaselineToTheNumbersOfOne() throws Exception {
        Path spec = Files.writeString(tmp.resolve("spec.yaml"), SPEC);
        Map<String, Map<String, Double>> serial = run(spec, "1");
        Map<String, Map<String, Double>> parallel = run(spec, "2");
        assertEquals(3, parallel.size());
        assertEquals(serial, parallel);
    }

    /** @return trial hash to the final metrics of its run (timings left out) */
    private Map<String, Map<String, Double>> run(Path spec, String workers) {
        Path store = tmp.resolve("store-" + workers);
        CliEndToEndTest.Outcome o = CliEndToEndTest.genlab("run", spec.toString(), "--parallel", workers, "--store",
                store.toString(), "--quiet");
        assertEquals(0, o.code(), o.err() + o.out());
        Map<String, Map<String, Double>> out = new TreeMap<>();
        for (RunRecord r : new LocalRunStore(store).readRuns("parallel-cli")) {
            if (r.parentRunId() != null) {
                assertEquals(RunStatus.FINISHED, r.status());
                out.put(r.tags().get("genlab.trial_hash"), CliEndToEndTest.finalNumbers(r));
            }
        }
        return out;
    }
}
