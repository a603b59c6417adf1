package dev.genlab.tracking.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.genlab.tracking.DatasetInput;
import dev.genlab.tracking.MetricPoint;
import dev.genlab.tracking.RunStatus;
import dev.genlab.tracking.RunSummary;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowClientException;
import org.mlflow.tracking.MlflowHttpException;
import org.mlflow.tracking.RunsPage;

/**
 * The REST calls genlab makes to an MLflow server, on the MLflow Java client, plus artifact upload.
 *
 * <p>The Java client has no request timeouts (a hung server would block forever), so every call runs on a
 * helper thread and is aborted after {@code requestTimeout} by closing the client, which shuts its
 * sockets; a fresh client serves the next call. Failures come out as {@link RemoteFailure}s classified
 * for retrying. Artifacts for the server's proxied store ({@code mlflow-artifacts:} URIs) are uploaded
 * with an HTTP PUT; other stores go through the Python {@code mlflow} command line, as the Java client's
 * own artifact code does.
 *
 * <p>Not thread-safe: one caller (the writer thread, or {@code genlab sync}) at a time.
 */
final class MlflowRemote implements AutoCloseable {

    /** Tag that ties an MLflow run to its local run: the key of idempotent replay. */
    static final String LOCAL_RUN_ID_TAG = "genlab.local_run_id";

    private static final Logger LOG = LogManager.getLogger(MlflowRemote.class);
    /**
     * The Java client's shaded HTTP library logs every transparent connection retry at INFO through
     * java.util.logging, straight to the console. genlab reports outages itself, so those go quiet. (JUL
     * holds loggers weakly: this reference keeps the setting alive.)
     */
    private static final java.util.logging.Logger HTTP_LOG = quiet("org.mlflow_project.apachehttp");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ARTIFACTS_API = "/api/2.0/mlflow-artifacts/artifacts";
    /** The input tag that says how a run used a dataset (MLflow's name). */
    static final String CONTEXT_TAG = "mlflow.data.context";

    private final MlflowSettings settings;
    private final Duration requestTimeout;
    private final Function<String, String> env;
    private final HttpClient http;
    private MlflowClient client;
    private ExecutorService executor;
    private Optional<PythonMlflow> python;

    /**
     * @param settings server and credentials
     * @param requestTimeout longest wait for one request
     * @param env environment lookup (for finding Python {@code mlflow} when an artifact store needs it)
     */
    MlflowRemote(MlflowSettings settings, Duration requestTimeout, Function<String, String> env) {
        this.settings = settings;
        this.requestTimeout = requestTimeout;
        this.env = env;
        this.client = new MlflowClient(settings.hostCreds());
        this.executor = newExecutor();
        HttpClient.Builder b = http11(requestTimeout).followRedirects(HttpClient.Redirect.NEVER);
        if (settings.insecureTls()) {
            b.sslContext(trustAll());
        }
        this.http = b.build();
    }

    MlflowSettings settings() {
        return settings;
    }

    /**
     * The one way genlab builds a {@link HttpClient} for MLflow: HTTP/1.1 only. The JDK's default (HTTP/2)
     * offers an h2c upgrade with every request on plain {@code http://}, which MLflow's server (uvicorn)
     * refuses, logging "Unsupported upgrade request" each time; over https it would only cost an ALPN round.
     *
     * @param connectTimeout longest wait for a connection
     * @return a builder, to be completed by the caller
     */
    static HttpClient.Builder http11(Duration connectTimeout) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout);
    }

    // ------------------------------------------------------------------------------------------ tracking API

    /** A cheap authenticated request: checks that the URI serves MLflow's API and accepts our credentials. */
    void ping() {
        call("contact the server", () -> client.searchExperiments("", Service.ViewType.ACTIVE_ONLY, 1, List.of()));
    }

    /**
     * The id of an active experiment. Looked up with {@code experiments/search} rather than
     * {@code get-by-name}: the Java client repeats every 4xx answer three times, and "not found" is the
     * normal case for a new experiment. An experiment in MLflow's trash cannot be reused: that is an error
     * the user must resolve.
     */
    Optional<String> experimentIdByName(String name) {
        return experimentByName(name).map(Service.Experiment::getExperimentId);
    }

    private Optional<Service.Experiment> experimentByName(String name) {
        if (name.indexOf('\'') >= 0) {
            return call("look up experiment '" + name + "'", () -> client.getExperimentByName(name));
        }
        List<Service.Experiment> found = call("look up experiment '" + name + "'", () -> client.searchExperiments(
                "name = '" + name + "'", Service.ViewType.ALL, 5, List.of()).getItems());
        for (Service.Experiment e : found) {
            if (e.getName().equals(name)) {
                if ("deleted".equalsIgnoreCase(e.getLifecycleStage())) {
                    throw new RemoteFailure(RemoteFailure.Kind.REJECTED, 0, false, "experiment '" + name + "' is in "
                            + "MLflow's trash: restore it in the MLflow UI, or record to another experiment "
                            + "(tracking.experiment)", null);
                }
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /**
     * Finds or creates an experiment; safe to repeat (a lost create response is found by name next time).
     * A new experiment is created with {@link MlflowLinks#EXPERIMENT_KIND_TAG} set to the model-training kind,
     * and an existing one without that tag gets it, so MLflow 3's UI treats it as a training experiment
     * rather than a GenAI one. An existing kind (set by a user in the UI) is left alone.
     */
    String experiment(String name) {
        return experiment(name, Map.of());
    }

    /**
     * Finds or creates an experiment as {@link #experiment(String)} does, and sets those of {@code tags}
     * that the server does not hold with the same value.
     */
    String experiment(String name, Map<String, String> tags) {
        Optional<Service.Experiment> found = experimentByName(name);
        if (found.isPresent()) {
            Service.Experiment e = found.get();
            Map<String, String> there = new HashMap<>();
            e.getTagsList().forEach(t -> there.put(t.getKey(), t.getValue()));
            Map<String, String> missing = new LinkedHashMap<>();
            if (!there.containsKey(MlflowLinks.EXPERIMENT_KIND_TAG)) {
                missing.put(MlflowLinks.EXPERIMENT_KIND_TAG, MlflowLinks.TRAINING_KIND);
            }
            tags.forEach((k, v) -> {
                if (!v.equals(there.get(k))) {
                    missing.put(k, v);
                }
            });
            missing.forEach((k, v) -> call("tag experiment '" + name + "'", () -> {
                client.setExperimentTag(e.getExperimentId(), k, v);
                return null;
            }));
            return e.getExperimentId();
        }
        Service.CreateExperiment.Builder create = Service.CreateExperiment.newBuilder().setName(name)
                .addTags(Service.ExperimentTag.newBuilder().setKey(MlflowLinks.EXPERIMENT_KIND_TAG)
                        .setValue(MlflowLinks.TRAINING_KIND));
        tags.forEach((k, v) -> {
            if (!k.equals(MlflowLinks.EXPERIMENT_KIND_TAG)) {
                create.addTags(Service.ExperimentTag.newBuilder().setKey(k).setValue(v));
            }
        });
        try {
            return call("create experiment '" + name + "'", () -> client.createExperiment(create.build()));
        } catch (RemoteFailure e) {
            if (e.kind() == RemoteFailure.Kind.REJECTED) {
                // RESOURCE_ALREADY_EXISTS: another process (a parallel shard) created it first.
                Optional<String> again = experimentIdByName(name);
                if (again.isPresent()) {
                    return experiment(name, tags);
                }
            }
            throw e;
        }
    }

    /**
     * The runs that carry {@code genlab.local_run_id = localRunId}, oldest first (normally none or one).
     * Deleted runs are not looked at: a user who deleted a run in the UI gets it back on the next sync.
     */
    List<RemoteRun> findByLocalId(String experimentId, String localRunId) {
        String filter = "tags.`" + LOCAL_RUN_ID_TAG + "` = '" + localRunId.replace("'", "") + "'";
        List<Service.Run> runs = call("search runs", () -> {
            RunsPage page = client.searchRuns(List.of(experimentId), filter, Service.ViewType.ACTIVE_ONLY, 10,
                    List.of("attributes.start_time ASC"));
            return page.getItems();
        });
        List<RemoteRun> out = new ArrayList<>(runs.size());
        runs.forEach(r -> out.add(toRemote(r)));
        return out;
    }

    /**
     * Active runs of an experiment whose tag has a value (at most 1000, oldest first), as summaries.
     *
     * @param experimentId the MLflow experiment id
     * @return the runs; {@link RunSummary#runId()} is the run's {@code genlab.local_run_id}, or the MLflow id
     *     for a run genlab did not record
     */
    List<RunSummary> searchByTag(String experimentId, String tagKey, String tagValue) {
        String filter = "tags.`" + tagKey.replace("`", "") + "` = '" + tagValue.replace("'", "") + "'";
        List<Service.Run> runs = call("search runs", () -> client.searchRuns(List.of(experimentId), filter,
                Service.ViewType.ACTIVE_ONLY, 1000, List.of("attributes.start_time ASC")).getItems());
        List<RunSummary> out = new ArrayList<>(runs.size());
        for (Service.Run r : runs) {
            RemoteRun run = toRemote(r);
            Map<String, Double> metrics = new LinkedHashMap<>();
            r.getData().getMetricsList().forEach(m -> metrics.put(m.getKey(), m.getValue()));
            String id = run.tags().getOrDefault(LOCAL_RUN_ID_TAG, run.id());
            out.add(new RunSummary(id, r.getInfo().getRunName(), run.tags().get("mlflow.parentRunId"), run.status(),
                    run.tags(), metrics));
        }
        return out;
    }

    /** Moves a run to MLflow's trash (used only for a duplicate that a lost create answer produced). */
    void deleteRun(String runId) {
        call("delete duplicate run " + runId, () -> {
            client.deleteRun(runId);
            return null;
        });
    }

    RemoteRun getRun(String runId) {
        return toRemote(call("get run " + runId, () -> client.getRun(runId)));
    }

    RemoteRun createRun(String experimentId, String runName, long startTimeMs, Map<String, String> tags) {
        Service.CreateRun.Builder req = Service.CreateRun.newBuilder().setExperimentId(experimentId)
                .setStartTime(startTimeMs);
        if (runName != null && !runName.isEmpty()) {
            req.setRunName(runName);
        }
        String user = tags.get("mlflow.user");
        if (user != null) {
            req.setUserId(user);
        }
        tags.forEach((k, v) -> req.addTags(Service.RunTag.newBuilder().setKey(k).setValue(v)));
        Service.RunInfo info = call("create run '" + runName + "'", () -> client.createRun(req.build()));
        return new RemoteRun(info.getRunId(), info.getArtifactUri(), RunStatus.RUNNING, 0, Map.of(), tags, Set.of(),
                startTimeMs);
    }

    /** One {@code runs/log-batch} request; callers keep within MLflow's limits (1000 / 100 / 100). */
    void logBatch(String runId, List<MetricPoint> metrics, Map<String, String> params, Map<String, String> tags) {
        List<Service.Metric> m = new ArrayList<>(metrics.size());
        for (MetricPoint p : metrics) {
            m.add(Service.Metric.newBuilder().setKey(p.key()).setValue(p.value()).setStep(p.step())
                    .setTimestamp(p.timestampMs()).build());
        }
        List<Service.Param> ps = new ArrayList<>(params.size());
        params.forEach((k, v) -> ps.add(Service.Param.newBuilder().setKey(k).setValue(v).build()));
        List<Service.RunTag> ts = new ArrayList<>(tags.size());
        tags.forEach((k, v) -> ts.add(Service.RunTag.newBuilder().setKey(k).setValue(v).build()));
        call("log a batch to run " + runId, () -> {
            client.logBatch(runId, m, ps, ts);
            return null;
        });
    }

    /**
     * One {@code runs/log-inputs} request (the Java client has no call for it): each dataset with its
     * context as the input tag {@value #CONTEXT_TAG}.
     */
    void logInputs(String runId, List<DatasetInput> inputs) {
        ObjectNode body = JSON.createObjectNode();
        body.put("run_id", runId);
        ArrayNode datasets = body.putArray("datasets");
        for (DatasetInput d : inputs) {
            ObjectNode input = datasets.addObject();
            ObjectNode tag = input.putArray("tags").addObject();
            tag.put("key", CONTEXT_TAG);
            tag.put("value", d.context());
            ObjectNode ds = input.putObject("dataset");
            ds.put("name", d.name());
            ds.put("digest", d.digest());
            ds.put("source_type", d.sourceType());
            ds.put("source", d.source());
            if (!d.schema().isEmpty()) {
                ds.put("schema", d.schema());
            }
            if (!d.profile().isEmpty()) {
                ds.put("profile", d.profile());
            }
        }
        String json = body.toString();
        call("log inputs to run " + runId, () -> client.sendPost("runs/log-inputs", json));
    }

    void endRun(String runId, RunStatus status, long endTimeMs) {
        Service.RunStatus s = Service.RunStatus.valueOf(status.name());
        call("end run " + runId, () -> {
            client.setTerminated(runId, s, endTimeMs);
            return null;
        });
    }

    List<MetricPoint> metricHistory(String runId, String key) {
        List<Service.Metric> history = call("read the history of " + key,
                () -> client.getMetricHistory(runId, key));
        List<MetricPoint> out = new ArrayList<>(history.size());
        for (Service.Metric m : history) {
            out.add(new MetricPoint(m.getKey(), m.getValue(), m.getStep(), m.getTimestamp()));
        }
        return out;
    }

    /**
     * Files directly in one artifact directory. (The Java client's {@code listArtifacts} shells out to
     * Python; the tracking API's {@code artifacts/list} serves the same listing over REST.)
     *
     * @return path (relative to the run's artifact root) to size
     */
    Map<String, Long> listArtifacts(String runId, String dir) {
        String query = "artifacts/list?run_id=" + urlEncode(runId) + (dir.isEmpty() ? "" : "&path=" + urlEncode(dir));
        String body = call("list artifacts of run " + runId, () -> client.sendGet(query));
        Map<String, Long> out = new LinkedHashMap<>();
        try {
            for (JsonNode f : JSON.readTree(body).path("files")) {
                if (!f.path("is_dir").asBoolean(false)) {
                    out.put(f.path("path").asText(), f.path("file_size").asLong(-1));
                }
            }
        } catch (IOException e) {
            throw new RemoteFailure(RemoteFailure.Kind.REJECTED, 0, false, "list artifacts of run " + runId
                    + ": unreadable answer", e);
        }
        return out;
    }

    private static String urlEncode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------------ artifacts

    /**
     * Uploads one artifact file.
     *
     * @param run the run (its artifact URI decides how)
     * @param path artifact path relative to the run's root, {@code /}-separated
     * @param file the local file
     */
    void uploadArtifact(RemoteRun run, String path, Path file) {
        URI root;
        try {
            root = new URI(run.artifactUri());
        } catch (URISyntaxException e) {
            throw new RemoteFailure(RemoteFailure.Kind.REJECTED, 0, false,
                    "run " + run.id() + " has an unreadable artifact URI: " + run.artifactUri(), e);
        }
        if ("mlflow-artifacts".equalsIgnoreCase(root.getScheme())) {
            put(artifactUrl(settings.uri(), root, path), file);
        } else {
            uploadWithPython(run, path, file);
        }
    }

    /**
     * The HTTP address of an artifact in the server's proxied store. Mirrors MLflow's rule: the host is the
     * artifact URI's own (if it names one) else the tracking server's, and the path is the tracking URI's
     * path, then {@code /api/2.0/mlflow-artifacts/artifacts}, then the artifact URI's path and the file.
     */
    static URI artifactUrl(String trackingUri, URI artifactRoot, String path) {
        URI tracking = URI.create(trackingUri);
        String authority = artifactRoot.getRawAuthority() != null ? artifactRoot.getRawAuthority()
                : tracking.getRawAuthority();
        String trackingPath = tracking.getRawPath() == null ? "" : tracking.getRawPath();
        String rootPath = artifactRoot.getRawPath() == null ? "" : artifactRoot.getRawPath();
        StringBuilder p = new StringBuilder(trackingPath).append(ARTIFACTS_API).append('/').append(rootPath)
                .append('/');
        for (String seg : path.split("/")) {
            if (!seg.isEmpty()) {
                p.append(encodeSegment(seg)).append('/');
            }
        }
        String joined = p.substring(0, p.length() - 1).replaceAll("/{2,}", "/");
        return URI.create(tracking.getScheme() + "://" + authority + joined);
    }

    private void put(URI url, Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new RemoteFailure(RemoteFailure.Kind.REJECTED, 0, false, "cannot read artifact " + file, e);
        }
        // Large files get more time: the request timeout plus one second per MiB.
        Duration timeout = requestTimeout.plusSeconds(size >> 20);
        HttpRequest.Builder req = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/octet-stream")
                .header("User-Agent", "genlab-mlflow");
        settings.authorization().ifPresent(a -> req.header("Authorization", a));
        try {
            req.PUT(HttpRequest.BodyPublishers.ofFile(file));
            HttpResponse<String> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
            int code = resp.statusCode();
            if (code >= 200 && code < 300) {
                return;
            }
            throw classifyStatus("upload artifact " + file.getFileName(), code, serverMessage(resp.body()));
        } catch (HttpTimeoutException e) {
            throw new RemoteFailure(RemoteFailure.Kind.RETRYABLE, 0, true,
                    "upload artifact " + file.getFileName() + ": no answer within " + timeout.toMillis() + " ms", e);
        } catch (IOException e) {
            throw ioFailure("upload artifact " + file.getFileName(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteFailure(RemoteFailure.Kind.RETRYABLE, 0, true, "upload interrupted", e);
        }
    }

    /** Other artifact stores (s3, gs, file, ...): MLflow's Python command line, as the Java client does it. */
    private void uploadWithPython(RemoteRun run, String path, Path file) {
        if (python == null) {
            python = PythonMlflow.find(env);
        }
        if (python.isEmpty()) {
            throw new RemoteFailure(RemoteFailure.Kind.REJECTED, 0, false, "run " + run.id()
                    + " stores artifacts at " + run.artifactUri() + ", which genlab can only reach through "
                    + "Python mlflow, and none is installed: " + PythonMlflow.installHint() + " (or start the "
                    + "server with --serve-artifacts, which genlab uploads to directly)", null);
        }
        int slash = path.lastIndexOf('/');
        List<String> args = new ArrayList<>(List.of("artifacts", "log-artifact", "--local-file",
                file.toAbsolutePath().toString(), "--run-id", run.id()));
        if (slash > 0) {
            args.add("--artifact-path");
            args.add(path.substring(0, slash));
        }
        ProcessBuilder pb = python.get().command(args.toArray(String[]::new)).redirectErrorStream(true);
        // Credentials go through the environment, never the command line (which other users can see).
        Map<String, String> penv = pb.environment();
        penv.put(MlflowSettings.ENV_URI, settings.uri());
        putOrRemove(penv, MlflowSettings.ENV_USERNAME, settings.username());
        putOrRemove(penv, MlflowSettings.ENV_PASSWORD, settings.password());
        putOrRemove(penv, MlflowSettings.ENV_TOKEN, settings.token());
        penv.put(MlflowSettings.ENV_INSECURE_TLS, Boolean.toString(settings.insecureTls()));
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(requestTimeout.toMillis() * 4, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new RemoteFailure(RemoteFailure.Kind.RETRYABLE, 0, true, "python mlflow did not finish "
                        + "uploading " + path, null);
            }
            if (p.exitValue() != 0) {
                String tail = out.length() > 600 ? out.substring(out.length() - 600) : out;
                throw new RemoteFailure(RemoteFailure.Kind.RETRYABLE, 0, true, "python mlflow failed to upload "
                        + path + " (exit " + p.exitValue() + "): " + tail.strip(), null);
            }
        } catch (IOException e) {
            throw new RemoteFailure(RemoteFailure.Kind.REJECTED, 0, false, "cannot run python mlflow: "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteFailure(RemoteFailure.Kind.RETRYABLE, 0, true, "upload interrupted", e);
        }
    }

    // ------------------------------------------------------------------------------------------ plumbing

    /** Runs one client call with a deadline, turning every failure into a classified {@link RemoteFailure}. */
    private <T> T call(String what, Callable<T> action) {
        Future<T> f = executor.submit(action);
        try {
            return f.get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            abort();
            throw new RemoteFailure(RemoteFailure.Kind.RETRYABLE, 0, true,
                    what + ": no answer within " + requestTimeout.toMillis() + " ms", null);
        } catch (InterruptedException e) {
            abort();
            Thread.currentThread().interrupt();
            throw new RemoteFailure(RemoteFailure.Kind.RETRYABLE, 0, true, what + ": interrupted", e);
        } catch (ExecutionException e) {
            throw classify(what, e.getCause());
        }
    }

    /** Aborts a hung call: closing the client shuts its sockets; the next call gets a fresh client and thread. */
    private void abort() {
        MlflowClient old = client;
        ExecutorService oldExecutor = executor;
        client = new MlflowClient(settings.hostCreds());
        executor = newExecutor();
        oldExecutor.shutdownNow();
        try {
            old.close();
        } catch (RuntimeException e) {
            LOG.debug("closing an aborted MLflow client: {}", e.toString());
        }
    }

    static RemoteFailure classify(String what, Throwable t) {
        if (t instanceof RemoteFailure rf) {
            return rf;
        }
        if (t instanceof MlflowHttpException h) {
            return classifyStatus(what, h.getStatusCode(), serverMessage(h.getBodyMessage()));
        }
        Throwable io = t;
        while (io != null && !(io instanceof IOException)) {
            io = io.getCause();
        }
        if (io instanceof IOException e) {
            return ioFailure(what, e);
        }
        if (t instanceof MlflowClientException) {
            // e.g. an HTML page where JSON was expected: the URI does not point at MLflow's API.
            return new RemoteFailure(RemoteFailure.Kind.REJECTED, 0, false, what + ": unexpected answer from the "
                    + "server (" + t.getMessage() + ")", t);
        }
        return new RemoteFailure(RemoteFailure.Kind.REJECTED, 0, false, what + ": " + t, t);
    }

    static RemoteFailure classifyStatus(String what, int code, String message) {
        String text = what + ": HTTP " + code + (message.isEmpty() ? "" : " " + message);
        if (code == 401 || code == 403) {
            return new RemoteFailure(RemoteFailure.Kind.AUTH, code, false, text, null);
        }
        if (code == 429) {
            return new RemoteFailure(RemoteFailure.Kind.RETRYABLE, code, false, text, null);
        }
        if (code >= 500) {
            // The server may have applied the request before failing: the caller checks before repeating.
            return new RemoteFailure(RemoteFailure.Kind.RETRYABLE, code, true, text, null);
        }
        if (code == 404 || message.contains("RESOURCE_DOES_NOT_EXIST")) {
            return new RemoteFailure(RemoteFailure.Kind.NOT_FOUND, code, false, text, null);
        }
        return new RemoteFailure(RemoteFailure.Kind.REJECTED, code, false, text, null);
    }

    private static RemoteFailure ioFailure(String what, IOException e) {
        String reason = e instanceof UnknownHostException ? "unknown host " + e.getMessage()
                : e instanceof ConnectException ? "connection refused"
                : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        // A connection that was refused never reached the server; anything later may have.
        boolean ambiguous = !(e instanceof ConnectException || e instanceof UnknownHostException);
        return new RemoteFailure(RemoteFailure.Kind.RETRYABLE, 0, ambiguous, what + ": " + reason, e);
    }

    /** MLflow's JSON errors carry {@code error_code} and {@code message}; other bodies are cut short. */
    static String serverMessage(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode n = JSON.readTree(body);
            if (n != null && n.has("message")) {
                String code = n.path("error_code").asText("");
                return (code.isEmpty() ? "" : code + ": ") + n.get("message").asText();
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: fall through
        }
        String s = body.strip().replaceAll("\\s+", " ");
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    private static RemoteRun toRemote(Service.Run run) {
        Service.RunInfo info = run.getInfo();
        Map<String, String> params = new HashMap<>();
        run.getData().getParamsList().forEach(p -> params.put(p.getKey(), p.getValue()));
        Map<String, String> tags = new HashMap<>();
        run.getData().getTagsList().forEach(t -> tags.put(t.getKey(), t.getValue()));
        Set<String> keys = new HashSet<>();
        run.getData().getMetricsList().forEach(m -> keys.add(m.getKey()));
        RunStatus status;
        try {
            status = RunStatus.valueOf(info.getStatus().name());
        } catch (IllegalArgumentException e) {
            status = RunStatus.RUNNING; // SCHEDULED and other states: not ended
        }
        Set<String> inputs = new HashSet<>();
        for (Service.DatasetInput in : run.getInputs().getDatasetInputsList()) {
            inputs.add(in.getDataset().getName() + "\n" + in.getDataset().getDigest()); // DatasetInput.identity()
        }
        return new RemoteRun(info.getRunId(), info.getArtifactUri(), status, info.getEndTime(), params, tags, keys,
                info.getStartTime(), inputs);
    }

    private static String encodeSegment(String seg) {
        StringBuilder sb = new StringBuilder();
        for (byte b : seg.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~".indexOf(c) >= 0) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    private static void putOrRemove(Map<String, String> env, String key, String value) {
        if (value == null) {
            env.remove(key);
        } else {
            env.put(key, value);
        }
    }

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger l = java.util.logging.Logger.getLogger(name);
        l.setLevel(java.util.logging.Level.WARNING);
        return l;
    }

    private static ExecutorService newExecutor() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "genlab-mlflow-http");
            t.setDaemon(true);
            return t;
        });
    }

    /** Trusts every certificate and host name: only with {@code MLFLOW_TRACKING_INSECURE_TLS=true}. */
    private static SSLContext trustAll() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            X509TrustManager all = new javax.net.ssl.X509ExtendedTrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket s) {}

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket s) {}

                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine e) {}

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine e) {}

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            };
            ctx.init(null, new TrustManager[] {all}, new SecureRandom());
            return ctx;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("TLS is unavailable", e);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            client.close();
        } catch (RuntimeException e) {
            LOG.debug("closing the MLflow client: {}", e.toString());
        }
    }
}
