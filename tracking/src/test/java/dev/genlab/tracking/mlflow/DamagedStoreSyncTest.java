package dev.genlab.tracking.mlflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genlab.tracking.local.LocalRunStore;
import dev.genlab.tracking.local.RunRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code genlab sync} of a damaged local store against a real MLflow server: a metric value changed on disk
 * (one digit, still valid JSON), a torn line, garbage and zero-filled lines. The server ends up holding
 * exactly what the intact lines say: the damaged line's points are missing, none is sent with another value.
 */
@ExtendWith(MlflowTestServer.class)
class DamagedStoreSyncTest {

    @TempDir
    Path tmp;

    private static int points(List<RunRecord> runs) {
        return runs.stream().mapToInt(r -> r.metrics().values().stream().mapToInt(List::size).sum()).sum();
    }

    @Test
    void syncSendsOnlyWhatIntactLinesHold(MlflowTestServer.Handle server) throws Exception {
        Path store = tmp.resolve("damaged");
        SweepFixture.Sweep sweep;
        try (LocalRunStore local = new LocalRunStore(store)) {
            sweep = SweepFixture.run(local, "damaged-sync", 2, 20, tmp.resolve("work"), s -> {});
        }
        LocalRunStore local = new LocalRunStore(store);
        int intact = points(local.readRuns("damaged-sync"));

        // Trial 0: one digit of a metric value changed, 2.0 -> 2.5 (logged nowhere); the line is still valid JSON.
        Path first = local.readRun(sweep.trials().get(0)).orElseThrow().directory().resolve("journal.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(first, StandardCharsets.UTF_8));
        int target = -1;
        for (int i = 0; i < lines.size() && target < 0; i++) {
            if (lines.get(i).contains("\"train/nll\",\"value\":2.0")) {
                target = i;
            }
        }
        assertTrue(target > 0, "the step-0 metrics line");
        int dropped = new ObjectMapper().readTree(lines.get(target)).path("metrics").size();
        lines.set(target, lines.get(target).replace("\"value\":2.0", "\"value\":2.5"));
        Files.write(first, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));

        // Trial 1: a zero-filled block and a garbage line in the middle, and a torn last line.
        Path second = local.readRun(sweep.trials().get(1)).orElseThrow().directory().resolve("journal.jsonl");
        List<String> more = new ArrayList<>(Files.readAllLines(second, StandardCharsets.UTF_8));
        more.add(5, "\u0000".repeat(512));
        more.add(9, "{\"event\":\"metrics\",\"metrics\":[{\"key\":\"train/nll\",\"value\":99.0,\"step\":3,"
                + "\"timestamp\":1}]}"); // valid JSON, but without the checksum every line of the journal has
        String torn = more.get(7).substring(0, more.get(7).length() / 2);
        Files.write(second, (String.join("\n", more) + "\n" + torn).getBytes(StandardCharsets.UTF_8));

        List<RunRecord> damaged = local.readRuns("damaged-sync");
        assertEquals(intact - dropped, points(damaged), "only the changed line is dropped");
        MlflowSync.Report report;
        try (MlflowSync sync = MlflowSync.connect(MlflowSettings.resolve(server.uri(), k -> null), SweepFixture.FAST,
                k -> null)) {
            report = sync.sync(local, List.of("damaged-sync"), r -> {});
        }
        assertTrue(report.ok(), report.summary());
        JsonNode back = server.readBack(server.uri(), "damaged-sync");
        SweepFixture.Counts c = SweepFixture.assertServerHoldsExactly(back, local, "damaged-sync");
        assertEquals(intact - dropped, c.metricPoints());
        for (JsonNode run : back.path("runs")) {
            for (JsonNode p : run.path("metrics").path("train/nll")) {
                double v = p.get(1).asDouble();
                assertTrue(v != 99.0 && v != 2.5, "a value never logged: " + p);
            }
        }
    }
}
