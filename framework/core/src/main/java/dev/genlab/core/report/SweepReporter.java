package dev.genlab.core.report;

import dev.genlab.core.run.RunOptions;
import dev.genlab.core.spec.TrackingSpec;
import dev.genlab.tracking.RemoteLink;
import dev.genlab.tracking.Tracker;
import dev.genlab.tracking.local.LocalRunStore;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Writes a sweep's report when the sweep ends and logs it to the sweep's parent run as artifacts under
 * {@code report/} (so it is kept in the local store and synced to MLflow with the run). A report that
 * cannot be made is a warning, never a failed sweep.
 */
public final class SweepReporter {

    /** The artifact folder of the report in the sweep's parent run. */
    public static final String ARTIFACT_DIR = "report";

    private static final Logger LOG = LogManager.getLogger(SweepReporter.class);

    private final ReportLoader loader;
    private final SweepReport report;

    /**
     * @param loader reads the sweep's runs back from the local store
     * @param report writes the report
     */
    @Inject
    public SweepReporter(ReportLoader loader, SweepReport report) {
        this.loader = loader;
        this.report = report;
    }

    /**
     * @param tracker the sweep's tracker (flushed first, so the local store has every trial); when it sends
     *     runs to a server, the report names each run's id and page there too
     * @param tracking the spec's tracking section (where the local store is)
     * @param options the command-line options (which may move the local store)
     * @param sweepRunId the sweep's parent run
     * @return the local store's copy of the HTML report, or empty if no report could be made
     */
    public Optional<Path> publish(Tracker tracker, TrackingSpec tracking, RunOptions options, String sweepRunId) {
        Path root = options.runStore() != null ? options.runStore() : Path.of(tracking.localDir());
        Path dir = null;
        try {
            tracker.flush();
            ReportData loaded = loader.load(new LocalRunStore(root), sweepRunId);
            Map<String, RemoteLink> links = new LinkedHashMap<>();
            tracker.remoteLink(sweepRunId).ifPresent(l -> links.put(sweepRunId, l));
            loaded.trials().forEach(r -> tracker.remoteLink(r.runId()).ifPresent(l -> links.put(r.runId(), l)));
            ReportData data = loaded.withLinks(links);
            dir = Files.createTempDirectory("genlab-report-");
            SweepReport.Written files = report.write(data, dir);
            tracker.logArtifact(sweepRunId, files.html(), ARTIFACT_DIR);
            tracker.logArtifact(sweepRunId, files.markdown(), ARTIFACT_DIR);
            for (Path image : files.images()) {
                tracker.logArtifact(sweepRunId, image, ARTIFACT_DIR + "/" + SweepReport.PLOTS);
            }
            LOG.debug("sweep report: {}/{} in the artifacts of run {}", ARTIFACT_DIR, SweepReport.HTML, sweepRunId);
            return tracker.runDirectory(sweepRunId)
                    .map(d -> d.resolve("artifacts").resolve(ARTIFACT_DIR).resolve(SweepReport.HTML))
                    .filter(Files::isRegularFile);
        } catch (RuntimeException | IOException e) {
            LOG.warn("could not write the sweep report: {}", e.toString(), e);
            return Optional.empty();
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.debug("could not delete {}: {}", dir, e.toString());
        }
    }
}
