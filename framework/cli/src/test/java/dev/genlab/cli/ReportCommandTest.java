package dev.genlab.cli;

import static dev.genlab.cli.CliEndToEndTest.genlab;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genlab.core.report.ReportPages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code genlab report} on runs made by {@code genlab run}. */
class ReportCommandTest {

    @TempDir
    Path tmp;

    @Test
    void reportsTheLatestSweepOfAnExperiment() throws Exception {
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, """
                name: report-cli
                dataset: {name: ring8, params: {n: 2000}}
                train: {steps: 40, batch_size: 64, log_every: 5}
                evaluate: {samples: 400, metrics: [modes, speed]}
                paradigms:
                  - {name: gaussian, plugin: gaussian, params: {lr: 0.05}}
                sweep:
                  seeds: [0, 1]
                  parameters:
                    gaussian.lr: [0.01, 0.1]
                """);
        Path store = tmp.resolve("runs");
        CliEndToEndTest.Outcome run = genlab("run", spec.toString(), "--store", store.toString(), "--quiet");
        assertEquals(0, run.code(), run.err());

        Path out = tmp.resolve("report");
        CliEndToEndTest.Outcome report = genlab("report", "report-cli", "--store", store.toString(), "--out",
                out.toString());
        assertEquals(0, report.code(), report.err());
        // A short summary on the terminal: the headline columns, one row per configuration, then the files.
        List<String> lines = report.out().lines().toList();
        assertTrue(lines.get(0).matches("config +seeds +modes +HQ % +samples/s"), report.out());
        assertTrue(lines.get(1).matches("gaussian lr=0\\.01 +2/2 .*"), report.out());
        assertTrue(lines.get(2).matches("gaussian lr=0\\.1 +2/2 .*"), report.out());
        int paths = lines.indexOf("report: " + out.resolve("report.html").toAbsolutePath());
        assertTrue(paths > 2, report.out());
        lines.subList(0, paths).forEach(l -> assertTrue(l.length() <= 100, "wider than 100 columns: " + l));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("markdown: " + out.resolve("report.md").toAbsolutePath())),
                report.out());
        assertTrue(ReportPages.assertValidPage(out.resolve("report.html")).size() >= 6);
        assertTrue(Files.readString(out.resolve("report.md")).contains("| gaussian lr=0.1 | 2/2 |"));

        CliEndToEndTest.Outcome missing = genlab("report", "nope", "--store", store.toString());
        assertEquals(ExitCodes.BAD_INPUT, missing.code());
        assertTrue(missing.err().contains("report-cli"), missing.err());
    }
}
