package dev.genlab.core.run;

import dev.genlab.core.spec.Redactor;
import dev.genlab.tracking.DatasetInput;
import dev.genlab.tracking.MetricPoint;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.RunSummary;
import dev.genlab.tracking.Tracker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The one door through which a sweep's records leave the process (to the local store and MLflow): every
 * text that passes it has the spec's secret values replaced by {@code ${env:NAME}} (see {@link Redactor}).
 * Experiment and run names, params and tags are redacted before they are encoded; a text artifact holding a
 * secret is recorded as a redacted copy; a binary artifact holding one is not recorded at all (with a
 * warning), since no byte of it can be changed safely.
 */
final class RedactingTracker implements Tracker {

    private static final Logger LOG = LogManager.getLogger(RedactingTracker.class);

    private final Tracker delegate;
    private final Redactor secrets;

    private RedactingTracker(Tracker delegate, Redactor secrets) {
        this.delegate = delegate;
        this.secrets = secrets;
    }

    /**
     * @param tracker where records go
     * @param secrets what to hide
     * @return {@code tracker} itself when there is nothing to hide, else a redacting view of it
     */
    static Tracker wrap(Tracker tracker, Redactor secrets) {
        return secrets.isEmpty() ? tracker : new RedactingTracker(tracker, secrets);
    }

    @Override
    public String experiment(String name) {
        return delegate.experiment(secrets.redact(name));
    }

    @Override
    public String startRun(String experimentId, String runName, String parentRunId, Map<String, String> tags) {
        return delegate.startRun(experimentId, secrets.redact(runName), parentRunId, secrets.redactStrings(tags));
    }

    @Override
    public String continueRun(String runId, String experimentId, String runName, String parentRunId,
            Map<String, String> tags) {
        return delegate.continueRun(runId, experimentId, secrets.redact(runName), parentRunId,
                secrets.redactStrings(tags));
    }

    @Override
    public List<RunSummary> runsTagged(String experimentId, String tagKey, String tagValue) {
        // Tags were stored redacted: look for them as they were stored.
        return delegate.runsTagged(experimentId, secrets.redact(tagKey), secrets.redact(tagValue));
    }

    @Override
    public Optional<Path> runDirectory(String runId) {
        return delegate.runDirectory(runId);
    }

    @Override
    public Optional<dev.genlab.tracking.RemoteLink> remoteLink(String runId) {
        return delegate.remoteLink(runId);
    }

    @Override
    public Optional<dev.genlab.tracking.claims.Claims> claims(String experimentId) {
        return delegate.claims(experimentId);
    }

    @Override
    public void logParams(String runId, Map<String, String> params) {
        delegate.logParams(runId, secrets.redactStrings(params));
    }

    @Override
    public void setTags(String runId, Map<String, String> tags) {
        delegate.setTags(runId, secrets.redactStrings(tags));
    }

    @Override
    public void logMetrics(String runId, List<MetricPoint> points) {
        delegate.logMetrics(runId, points.stream()
                .map(p -> new MetricPoint(secrets.redact(p.key()), p.value(), p.step(), p.timestampMs()))
                .toList());
    }

    @Override
    public void setExperimentTags(String experimentId, Map<String, String> tags) {
        delegate.setExperimentTags(experimentId, secrets.redactStrings(tags));
    }

    @Override
    public void logInputs(String runId, List<DatasetInput> inputs) {
        delegate.logInputs(runId, inputs.stream().map(d -> new DatasetInput(secrets.redact(d.name()), d.digest(),
                d.sourceType(), secrets.redact(d.source()), d.schema(), d.profile(), d.context())).toList());
    }

    @Override
    public void logArtifact(String runId, Path file, String artifactDir) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            delegate.logArtifact(runId, file, artifactDir); // the store reports the unreadable file
            return;
        }
        if (!secrets.appearsIn(bytes)) {
            delegate.logArtifact(runId, file, artifactDir);
            return;
        }
        String name = String.valueOf(file.getFileName());
        Optional<byte[]> redacted = redactText(bytes);
        if (redacted.isEmpty()) {
            LOG.warn("artifact {} of run {} is not recorded: it holds the value of secret variable(s) {} and is not "
                    + "text that could be redacted", secrets.redact(name), runId, secrets.names());
            return;
        }
        try {
            Path dir = Files.createTempDirectory("genlab-redacted-");
            Path copy = dir.resolve(secrets.redact(name));
            try {
                Files.write(copy, redacted.get());
                delegate.logArtifact(runId, copy, artifactDir);
            } finally {
                Files.deleteIfExists(copy);
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a redacted copy of artifact " + secrets.redact(name), e);
        }
    }

    /** @return the redacted bytes if {@code bytes} are UTF-8 text, else empty */
    private Optional<byte[]> redactText(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
        return Optional.of(Redactor.redactBytes(bytes, bytes.length, secrets.bytePatterns()));
    }

    @Override
    public void endRun(String runId, RunStatus status) {
        delegate.endRun(runId, status);
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
