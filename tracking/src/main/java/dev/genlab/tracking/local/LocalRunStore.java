package dev.genlab.tracking.local;

import dev.genlab.tracking.DatasetInput;
import dev.genlab.tracking.MetricPoint;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.RunSummary;
import dev.genlab.tracking.Tracker;
import dev.genlab.tracking.claims.ClaimSettings;
import dev.genlab.tracking.claims.Claims;
import dev.genlab.tracking.claims.FileClaims;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The local, append-only run store: the default {@link Tracker} and the write-ahead record that
 * {@code genlab sync} replays into MLflow.
 *
 * <p>Layout (see {@code docs/run-store.md}):
 * <pre>
 * &lt;root&gt;/&lt;experiment-slug&gt;/experiment.json               {"id", "name", "created"}
 * &lt;root&gt;/&lt;experiment-slug&gt;/runs/&lt;runId&gt;/journal.jsonl   one JSON event per line
 * &lt;root&gt;/&lt;experiment-slug&gt;/runs/&lt;runId&gt;/artifacts/...    copied artifact files
 * </pre>
 *
 * <p>Crash safety: every event is one complete line handed to the operating system in a single write
 * (no user-space buffer), so a killed process loses at most the line being written; {@link #flush()}
 * additionally forces journals to the disk. Journals are never rewritten or truncated; a torn last line is
 * skipped by the reader with a warning, and a writer that reopens such a journal starts on a fresh line.
 *
 * <p>Thread-safe: each run's journal has its own lock, so trials log concurrently. One process should
 * write a given run at a time (separate processes may write separate runs of the same experiment).
 *
 * <p>Params follow MLflow: a key is logged once per run; logging it again with the same value is a
 * no-op, with a different value an {@link IllegalArgumentException}.
 */
public final class LocalRunStore implements Tracker {

    /** The default root, {@code ./genlab-runs}, relative to the working directory. */
    public static final Path DEFAULT_ROOT = Path.of("genlab-runs");

    static final String EXPERIMENT_FILE = "experiment.json";
    static final String RUNS_DIR = "runs";
    static final String JOURNAL_FILE = "journal.jsonl";
    static final String ARTIFACTS_DIR = "artifacts";

    private static final Logger LOG = LogManager.getLogger(LocalRunStore.class);
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern UNSAFE = Pattern.compile("[^a-z0-9._-]+");
    private static final int MAX_SLUG_BASE = 64;

    private final Path root;
    private final JournalCodec codec = new JournalCodec();
    private final Object experimentLock = new Object();
    /** Experiments seen by this instance, by id; guarded by {@link #experimentLock}. */
    private final Map<String, ExperimentRecord> experimentsById = new HashMap<>();
    /** Journals open for writing, by run id. A handle is removed (and closed) when its run ends. */
    private final ConcurrentHashMap<String, RunHandle> open = new ConcurrentHashMap<>();
    private final ClaimSettings claimSettings;
    /** Claims by experiment id, made on first use, closed with the store. */
    private final ConcurrentHashMap<String, FileClaims> claims = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** A store under {@link #DEFAULT_ROOT}. */
    public LocalRunStore() {
        this(DEFAULT_ROOT);
    }

    /**
     * A store under the given root; directories are created on first write.
     *
     * @param root the store's root directory
     */
    public LocalRunStore(Path root) {
        this(root, ClaimSettings.DEFAULTS);
    }

    /**
     * A store under the given root whose claims use the given timing.
     *
     * @param root the store's root directory
     * @param claimSettings heartbeat and time to live of claims taken through {@link #claims}
     */
    public LocalRunStore(Path root, ClaimSettings claimSettings) {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
        this.claimSettings = Objects.requireNonNull(claimSettings, "claimSettings");
    }

    /** @return the store's root directory (absolute) */
    public Path root() {
        return root;
    }

    // ------------------------------------------------------------------------------------------ writing

    @Override
    public String experiment(String name) {
        requireText(name, "experiment name");
        ensureOpen();
        synchronized (experimentLock) {
            Path dir = root.resolve(slug(name));
            Path file = dir.resolve(EXPERIMENT_FILE);
            try {
                if (Files.exists(file)) {
                    ExperimentRecord rec;
                    try {
                        rec = codec.readExperiment(Files.readAllBytes(file), dir);
                    } catch (IOException | IllegalArgumentException e) {
                        throw new IllegalStateException("cannot read " + file + ": " + e.getMessage()
                                + "; restore it from a backup, or move the folder " + dir + " away to start anew", e);
                    }
                    if (!rec.name().equals(name)) {
                        throw new IllegalStateException("experiment directory " + dir + " belongs to '"
                                + rec.name() + "', not '" + name + "'");
                    }
                    experimentsById.put(rec.id(), rec);
                    return rec.id();
                }
                Files.createDirectories(dir.resolve(RUNS_DIR));
                ExperimentRecord rec = new ExperimentRecord(experimentId(name), name, System.currentTimeMillis(),
                        dir);
                writeAtomically(file, codec.experiment(rec.id(), rec.name(), rec.createdMs(), rec.tags()));
                experimentsById.put(rec.id(), rec);
                LOG.debug("Created experiment '{}' in {}", name, dir);
                return rec.id();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open experiment '" + name + "' under " + root, e);
            }
        }
    }

    /**
     * Sets experiment tags in {@code experiment.json} (rewritten atomically; other processes of the store
     * may do the same, and the last write wins).
     */
    @Override
    public void setExperimentTags(String experimentId, Map<String, String> tags) {
        Map<String, String> copy = checkedCopy(tags, "tag");
        ensureOpen();
        synchronized (experimentLock) {
            ExperimentRecord known = experimentById(experimentId).orElseThrow(
                    () -> new IllegalArgumentException("unknown experiment id " + experimentId + " in " + root));
            Path file = known.directory().resolve(EXPERIMENT_FILE);
            try {
                ExperimentRecord rec = codec.readExperiment(Files.readAllBytes(file), known.directory());
                Map<String, String> merged = new LinkedHashMap<>(rec.tags());
                merged.putAll(copy);
                writeAtomically(file, codec.experiment(rec.id(), rec.name(), rec.createdMs(), merged));
                experimentsById.put(rec.id(), new ExperimentRecord(rec.id(), rec.name(), rec.createdMs(),
                        rec.directory(), merged));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot tag experiment " + known.name() + " in " + file, e);
            }
        }
    }

    @Override
    public String startRun(String experimentId, String runName, String parentRunId, Map<String, String> tags) {
        String runId = UUID.randomUUID().toString().replace("-", "");
        create(runId, experimentId, runName, parentRunId, tags, false);
        return runId;
    }

    @Override
    public String continueRun(String runId, String experimentId, String runName, String parentRunId,
            Map<String, String> tags) {
        if (runId == null || !RUN_ID.matcher(runId).matches()) {
            throw new IllegalArgumentException("a run id is 1 to 64 characters of [A-Za-z0-9_-], got " + runId);
        }
        if (open.containsKey(runId) || findRunDir(runId).isPresent()) {
            return runId;
        }
        create(runId, experimentId, runName, parentRunId, tags, true);
        return runId;
    }

    @Override
    public Optional<Path> runDirectory(String runId) {
        RunHandle h = open.get(runId);
        return h != null ? Optional.of(h.dir) : findRunDir(runId);
    }

    /**
     * The experiment's claim files, {@code <experiment>/claims/} (see {@link FileClaims}), one
     * {@link FileClaims} per experiment and store instance (so two instances in one process are two owners).
     */
    @Override
    public Optional<Claims> claims(String experimentId) {
        ensureOpen();
        ExperimentRecord exp = experimentById(experimentId).orElseThrow(
                () -> new IllegalArgumentException("unknown experiment id " + experimentId + " in " + root));
        return Optional.of(claims.computeIfAbsent(experimentId,
                id -> new FileClaims(exp.directory().resolve(FileClaims.DIR), claimSettings)));
    }

    @Override
    public List<RunSummary> runsTagged(String experimentId, String tagKey, String tagValue) {
        Optional<ExperimentRecord> exp = experimentById(experimentId);
        if (exp.isEmpty()) {
            return List.of();
        }
        return findRuns(exp.get().name(), tagKey, tagValue).stream()
                .map(r -> new RunSummary(r.id(), r.name(), r.parentRunId(), r.status(), r.tags(), r.latestMetrics()))
                .toList();
    }

    /**
     * @param mayExist true if another process may create the same id at the same moment: losing that race
     *     is not an error (the run exists, which is what the caller wants)
     */
    private void create(String runId, String experimentId, String runName, String parentRunId,
            Map<String, String> tags, boolean mayExist) {
        Objects.requireNonNull(experimentId, "experimentId");
        Map<String, String> initialTags = checkedCopy(tags == null ? Map.of() : tags, "tag");
        ensureOpen();
        ExperimentRecord exp = experimentById(experimentId).orElseThrow(
                () -> new IllegalArgumentException("unknown experiment id " + experimentId + " in " + root));
        Path runDir = exp.directory().resolve(RUNS_DIR).resolve(runId);
        try {
            Files.createDirectories(runDir);
            Path journal = runDir.resolve(JOURNAL_FILE);
            byte[] start = codec.start(runId, runName == null ? "" : runName, parentRunId, experimentId,
                    System.currentTimeMillis(), initialTags);
            if (!publish(journal, start)) {
                if (mayExist) {
                    return;
                }
                throw new FileAlreadyExistsException(journal.toString());
            }
            FileChannel ch = FileChannel.open(journal, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            open.put(runId, new RunHandle(runDir, ch, new HashMap<>(), false));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a run in " + exp.directory(), e);
        }
    }

    /**
     * Creates a journal holding its start event, or returns false if it exists. The journal appears whole:
     * the line is written to a private file first and hard-linked into place (which, like
     * {@code CREATE_NEW}, fails if the name exists), so another process that finds the journal of a run
     * created at the same moment (shards converging on one sweep parent) always reads its start event.
     */
    private static boolean publish(Path journal, byte[] startLine) throws IOException {
        Path staged = journal.resolveSibling("." + JOURNAL_FILE + "." + UUID.randomUUID() + ".tmp");
        try {
            Files.write(staged, startLine, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try {
                Files.createLink(journal, staged);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } catch (UnsupportedOperationException e) {
                // A file system without hard links: create and write, with the old short window.
                try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
                    ByteBuffer buf = ByteBuffer.wrap(startLine);
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                    return true;
                } catch (FileAlreadyExistsException exists) {
                    return false;
                }
            }
        } finally {
            Files.deleteIfExists(staged);
        }
    }

    @Override
    public void logParams(String runId, Map<String, String> params) {
        Map<String, String> requested = checkedCopy(params, "param");
        withRun(runId, h -> {
            Map<String, String> fresh = new LinkedHashMap<>();
            // Check the whole batch first so a conflict leaves nothing half-logged.
            for (Map.Entry<String, String> e : requested.entrySet()) {
                String old = h.params.get(e.getKey());
                if (old == null) {
                    fresh.put(e.getKey(), e.getValue());
                } else if (!old.equals(e.getValue())) {
                    throw new IllegalArgumentException("param '" + e.getKey() + "' of run " + runId
                            + " is already '" + old + "'; cannot change it to '" + e.getValue() + "'");
                }
            }
            if (!fresh.isEmpty()) {
                h.write(codec.params(fresh));
                h.params.putAll(fresh);
            }
        });
    }

    @Override
    public void setTags(String runId, Map<String, String> tags) {
        Map<String, String> copy = checkedCopy(tags, "tag");
        if (copy.isEmpty()) {
            return;
        }
        withRun(runId, h -> h.write(codec.tags(copy)));
    }

    @Override
    public void logMetrics(String runId, List<MetricPoint> points) {
        List<MetricPoint> copy = List.copyOf(points);
        if (copy.isEmpty()) {
            return;
        }
        withRun(runId, h -> h.write(codec.metrics(copy)));
    }

    @Override
    public void logInputs(String runId, List<DatasetInput> inputs) {
        List<DatasetInput> copy = List.copyOf(inputs);
        if (copy.isEmpty()) {
            return;
        }
        withRun(runId, h -> h.write(codec.inputs(copy)));
    }

    @Override
    public void logArtifact(String runId, Path file, String artifactDir) {
        Objects.requireNonNull(file, "file");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("not a regular file: " + file);
        }
        String dir = normaliseArtifactDir(artifactDir);
        String name = file.getFileName().toString();
        String path = dir.isEmpty() ? name : dir + "/" + name;
        ensureOpen();
        Path target = resolveRelative(handle(runId).dir.resolve(ARTIFACTS_DIR), path);
        try {
            Files.createDirectories(target.getParent());
            // Copy (and hash) outside the run's lock, then publish with an atomic rename: a crash leaves
            // either no file or a whole one, and the journal names it only after it is complete.
            Path tmp = Files.createTempFile(target.getParent(), ".", ".part");
            MessageDigest sha = sha256();
            long size;
            try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
                size = Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
            String hex = HexFormat.of().formatHex(sha.digest());
            withRun(runId, h -> {
                moveAtomically(tmp, target);
                h.write(codec.artifact(path, hex, size));
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot log artifact " + file + " to run " + runId, e);
        }
    }

    @Override
    public void endRun(String runId, RunStatus status) {
        Objects.requireNonNull(status, "status");
        if (!status.terminal()) {
            throw new IllegalArgumentException("a run cannot end as " + status);
        }
        withRun(runId, h -> {
            h.write(codec.end(status, System.currentTimeMillis()));
            h.channel.force(false);
            h.close();
            open.remove(runId, h);
        });
    }

    @Override
    public void flush() {
        for (RunHandle h : open.values()) {
            synchronized (h) {
                if (!h.closed) {
                    try {
                        h.channel.force(false);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot flush journal in " + h.dir, e);
                    }
                }
            }
        }
    }

    /**
     * Forces and closes every open journal. Runs not ended stay {@link RunStatus#RUNNING} in the store (as
     * after a crash); end them first. Reading still works after closing; writing does not.
     */
    @Override
    public void close() {
        closed = true;
        claims.values().forEach(FileClaims::close);
        IOException failure = null;
        for (Map.Entry<String, RunHandle> e : open.entrySet()) {
            RunHandle h = e.getValue();
            synchronized (h) {
                try {
                    if (!h.closed) {
                        h.channel.force(false);
                        h.close();
                    }
                } catch (IOException ex) {
                    failure = ex;
                }
            }
            open.remove(e.getKey(), h);
        }
        if (failure != null) {
            throw new UncheckedIOException("cannot close the run store at " + root, failure);
        }
    }

    // ------------------------------------------------------------------------------------------ reading

    /**
     * All experiments in the store.
     *
     * @return experiments ordered by creation time, then name; unreadable ones are skipped with a warning
     */
    public List<ExperimentRecord> readExperiments() {
        List<ExperimentRecord> out = new ArrayList<>();
        for (Path dir : subdirectories(root)) {
            Path file = dir.resolve(EXPERIMENT_FILE);
            if (!Files.isRegularFile(file)) {
                continue;
            }
            try {
                out.add(codec.readExperiment(Files.readAllBytes(file), dir));
            } catch (IOException | RuntimeException e) {
                LOG.warn("Ignoring unreadable experiment file {}: {}", file, e.getMessage());
            }
        }
        out.sort(Comparator.comparingLong(ExperimentRecord::createdMs).thenComparing(ExperimentRecord::name));
        return List.copyOf(out);
    }

    /**
     * Finds one experiment by name.
     *
     * @param experimentName the name
     * @return the experiment, or empty if it was never created
     */
    public Optional<ExperimentRecord> readExperiment(String experimentName) {
        requireText(experimentName, "experiment name");
        Path dir = root.resolve(slug(experimentName));
        Path file = dir.resolve(EXPERIMENT_FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            ExperimentRecord rec = codec.readExperiment(Files.readAllBytes(file), dir);
            return rec.name().equals(experimentName) ? Optional.of(rec) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * All runs of an experiment, reconstructed from their journals.
     *
     * @param experimentName the experiment's name
     * @return runs ordered by start time, then id; empty if the experiment does not exist
     */
    public List<RunRecord> readRuns(String experimentName) {
        Optional<ExperimentRecord> exp = readExperiment(experimentName);
        if (exp.isEmpty()) {
            return List.of();
        }
        List<RunRecord> out = new ArrayList<>();
        for (Path runDir : subdirectories(exp.get().directory().resolve(RUNS_DIR))) {
            readRunDir(runDir).ifPresent(out::add);
        }
        out.sort(Comparator.comparingLong(RunRecord::startTimeMs).thenComparing(RunRecord::id));
        return List.copyOf(out);
    }

    /**
     * Reads one run, searching every experiment.
     *
     * @param runId the run id
     * @return the run, or empty if no readable journal has that id
     */
    public Optional<RunRecord> readRun(String runId) {
        return findRunDir(runId).flatMap(this::readRunDir);
    }

    /**
     * Runs of an experiment carrying a tag with a given value, e.g. {@code genlab.trial_hash}: what resume
     * uses to skip trials that already have a {@link RunStatus#FINISHED} run.
     *
     * @param experimentName the experiment's name
     * @param tagKey tag key
     * @param tagValue the value it must have
     * @return matching runs in {@link #readRuns} order
     */
    public List<RunRecord> findRuns(String experimentName, String tagKey, String tagValue) {
        Objects.requireNonNull(tagKey, "tagKey");
        Objects.requireNonNull(tagValue, "tagValue");
        return readRuns(experimentName).stream().filter(r -> tagValue.equals(r.tags().get(tagKey))).toList();
    }

    // ------------------------------------------------------------------------------------------ helpers

    /**
     * The directory name of an experiment: the name lower-cased with runs of other characters than
     * {@code [a-z0-9._-]} replaced by {@code -}; if that changed anything, {@code -} and the first 8 hex
     * characters of the name's SHA-256 are appended, so different names never share a directory.
     */
    static String slug(String name) {
        String s = UNSAFE.matcher(name.toLowerCase(Locale.ROOT)).replaceAll("-");
        s = s.replaceAll("^[-.]+", "").replaceAll("-+$", "");
        if (s.length() > MAX_SLUG_BASE) {
            s = s.substring(0, MAX_SLUG_BASE);
        }
        if (s.isEmpty()) {
            s = "experiment";
        }
        return s.equals(name) ? s : s + "-" + sha256Hex(name).substring(0, 8);
    }

    /** The experiment id: the first 16 hex characters of the name's SHA-256, the same in every process. */
    static String experimentId(String name) {
        return sha256Hex(name).substring(0, 16);
    }

    /**
     * Finds an experiment by its id.
     *
     * @param id the experiment id
     * @return the experiment, or empty if this store has none with that id
     */
    public Optional<ExperimentRecord> readExperimentById(String id) {
        return experimentById(id);
    }

    private Optional<ExperimentRecord> experimentById(String id) {
        synchronized (experimentLock) {
            ExperimentRecord rec = experimentsById.get(id);
            if (rec == null) {
                // Created by another process or an earlier instance: rescan once.
                for (ExperimentRecord r : readExperiments()) {
                    experimentsById.putIfAbsent(r.id(), r);
                }
                rec = experimentsById.get(id);
            }
            return Optional.ofNullable(rec);
        }
    }

    private Optional<Path> findRunDir(String runId) {
        if (runId == null || !RUN_ID.matcher(runId).matches()) {
            return Optional.empty();
        }
        for (Path expDir : subdirectories(root)) {
            Path runDir = expDir.resolve(RUNS_DIR).resolve(runId);
            if (Files.isRegularFile(runDir.resolve(JOURNAL_FILE))) {
                return Optional.of(runDir);
            }
        }
        return Optional.empty();
    }

    private Optional<RunRecord> readRunDir(Path runDir) {
        Path journal = runDir.resolve(JOURNAL_FILE);
        if (!Files.isRegularFile(journal)) {
            return Optional.empty();
        }
        byte[] content;
        try {
            RunHandle h = open.get(runDir.getFileName().toString());
            if (h != null) {
                // Our own writer: read under its lock so we never see a line half-written by it.
                synchronized (h) {
                    content = Files.readAllBytes(journal);
                }
            } else {
                content = Files.readAllBytes(journal);
            }
        } catch (IOException e) {
            LOG.warn("Ignoring unreadable journal {}: {}", journal, e.getMessage());
            return Optional.empty();
        }
        return codec.replay(content, journal).map(b -> b.build(runDir));
    }

    /** Runs an action on a run's open journal under its lock, reopening the journal if needed. */
    private void withRun(String runId, JournalAction action) {
        while (true) {
            ensureOpen();
            RunHandle h = handle(runId);
            synchronized (h) {
                if (h.closed) {
                    continue; // ended (or the store closed) meanwhile: reopen or fail in ensureOpen
                }
                try {
                    action.run(h);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write the journal of run " + runId, e);
                }
                return;
            }
        }
    }

    private RunHandle handle(String runId) {
        Objects.requireNonNull(runId, "runId");
        RunHandle h = open.get(runId);
        return h != null ? h : open.computeIfAbsent(runId, this::reopen);
    }

    /** Reopens the journal of a run that this instance is not writing (ended, or from an earlier process). */
    private RunHandle reopen(String runId) {
        Path runDir = findRunDir(runId).orElseThrow(
                () -> new IllegalArgumentException("unknown run " + runId + " in " + root));
        Path journal = runDir.resolve(JOURNAL_FILE);
        try {
            byte[] content = Files.readAllBytes(journal);
            RunRecord.Builder b = codec.replay(content, journal).orElseThrow(
                    () -> new IllegalStateException("journal " + journal + " has no start event"));
            // A torn last line must not swallow the next event: start the next write on a fresh line.
            boolean torn = content.length > 0 && content[content.length - 1] != '\n';
            FileChannel ch = FileChannel.open(journal, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            return new RunHandle(runDir, ch, new HashMap<>(b.params), torn);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reopen the journal of run " + runId, e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the run store at " + root + " is closed");
        }
    }

    private static String normaliseArtifactDir(String artifactDir) {
        if (artifactDir == null) {
            return "";
        }
        String s = artifactDir.replace('\\', '/');
        if (s.startsWith("/")) {
            throw new IllegalArgumentException("artifact directory must be relative: " + artifactDir);
        }
        List<String> parts = new ArrayList<>();
        for (String p : s.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                throw new IllegalArgumentException("artifact directory must not contain '..': " + artifactDir);
            }
            parts.add(p);
        }
        return String.join("/", parts);
    }

    private static Path resolveRelative(Path base, String slashPath) {
        Path p = base;
        for (String part : slashPath.split("/")) {
            p = p.resolve(part);
        }
        return p;
    }

    private static Map<String, String> checkedCopy(Map<String, String> map, String what) {
        Objects.requireNonNull(map, what + "s");
        Map<String, String> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (k == null || v == null) {
                throw new NullPointerException(what + " keys and values must not be null: " + k + "=" + v);
            }
            copy.put(k, v);
        });
        return copy;
    }

    private static void requireText(String s, String what) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
    }

    private static List<Path> subdirectories(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, Files::isDirectory)) {
            ds.forEach(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    private static void writeAtomically(Path file, byte[] content) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), ".", ".part");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        moveAtomically(tmp, file);
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    private static String sha256Hex(String s) {
        return HexFormat.of().formatHex(sha256().digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    @FunctionalInterface
    private interface JournalAction {
        void run(RunHandle h) throws IOException;
    }

    /** An open journal; all fields are guarded by the handle's monitor. */
    private static final class RunHandle {
        final Path dir;
        final FileChannel channel;
        /** Params already in the journal, for MLflow's log-once rule. */
        final Map<String, String> params;
        /** True when the journal does not end with a newline (torn line, or a failed write). */
        boolean needsNewline;
        boolean closed;

        RunHandle(Path dir, FileChannel channel, Map<String, String> params, boolean needsNewline) {
            this.dir = dir;
            this.channel = channel;
            this.params = params;
            this.needsNewline = needsNewline;
        }

        /** Appends one whole line in a single buffer; FileChannel has no user-space buffer to flush. */
        void write(byte[] line) throws IOException {
            ByteBuffer buf;
            if (needsNewline) {
                buf = ByteBuffer.allocate(line.length + 1).put((byte) '\n').put(line).flip();
            } else {
                buf = ByteBuffer.wrap(line);
            }
            // Until the line is fully written, assume a partial line is on disk.
            needsNewline = true;
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            needsNewline = false;
        }

        void close() throws IOException {
            closed = true;
            channel.close();
        }
    }
}
