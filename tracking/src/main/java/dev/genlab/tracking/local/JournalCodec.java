package dev.genlab.tracking.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.genlab.tracking.DatasetInput;
import dev.genlab.tracking.MetricPoint;
import dev.genlab.tracking.RunStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Encodes journal events as single JSON lines and replays a journal into a {@link RunRecord}.
 * The format is described in {@code docs/run-store.md}; this class is its only implementation.
 */
final class JournalCodec {

    /** Version of the journal format, written into every {@code start} event. */
    static final int FORMAT_VERSION = 1;

    private static final Logger LOG = LogManager.getLogger(JournalCodec.class);

    // Trailing tokens would mean two records glued together (e.g. a torn line followed by a new one):
    // such a line must be rejected as a whole rather than half-read.
    private final ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    ObjectMapper mapper() {
        return mapper;
    }

    byte[] start(String runId, String name, String parentRunId, String experimentId, long startTimeMs,
            Map<String, String> tags) {
        ObjectNode n = event("start");
        n.put("format", FORMAT_VERSION);
        n.put("run_id", runId);
        n.put("name", name);
        n.put("parent_run_id", parentRunId);
        n.put("experiment_id", experimentId);
        n.put("start_time", startTimeMs);
        n.set("tags", stringMap(tags));
        return line(n);
    }

    byte[] params(Map<String, String> params) {
        ObjectNode n = event("params");
        n.set("params", stringMap(params));
        return line(n);
    }

    byte[] tags(Map<String, String> tags) {
        ObjectNode n = event("tags");
        n.set("tags", stringMap(tags));
        return line(n);
    }

    byte[] metrics(List<MetricPoint> points) {
        ObjectNode n = event("metrics");
        ArrayNode arr = n.putArray("metrics");
        for (MetricPoint p : points) {
            ObjectNode m = arr.addObject();
            m.put("key", p.key());
            m.set("value", encodeDouble(p.value()));
            m.put("step", p.step());
            m.put("timestamp", p.timestampMs());
        }
        return line(n);
    }

    byte[] inputs(List<DatasetInput> inputs) {
        ObjectNode n = event("inputs");
        ArrayNode arr = n.putArray("datasets");
        for (DatasetInput d : inputs) {
            ObjectNode o = arr.addObject();
            o.put("name", d.name());
            o.put("digest", d.digest());
            o.put("source_type", d.sourceType());
            o.put("source", d.source());
            o.put("schema", d.schema());
            o.put("profile", d.profile());
            o.put("context", d.context());
        }
        return line(n);
    }

    byte[] artifact(String path, String sha256, long size) {
        ObjectNode n = event("artifact");
        n.put("path", path);
        n.put("sha256", sha256);
        n.put("size", size);
        return line(n);
    }

    byte[] end(RunStatus status, long endTimeMs) {
        ObjectNode n = event("end");
        n.put("status", status.name());
        n.put("end_time", endTimeMs);
        return line(n);
    }

    /**
     * JSON has no NaN or infinities; they are written as the strings Java (and MLflow's Python client)
     * uses for them, so a diverged loss survives the round trip.
     */
    static JsonNode encodeDouble(double v) {
        if (Double.isNaN(v)) {
            return TextNode.valueOf("NaN");
        }
        if (Double.isInfinite(v)) {
            return TextNode.valueOf(v > 0 ? "Infinity" : "-Infinity");
        }
        return DoubleNode.valueOf(v);
    }

    static double decodeDouble(JsonNode n) {
        if (n != null && n.isNumber()) {
            return n.doubleValue();
        }
        if (n != null && n.isTextual()) {
            switch (n.textValue()) {
                case "NaN":
                    return Double.NaN;
                case "Infinity":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("not a metric value: " + n);
    }

    /**
     * Replays a journal's bytes.
     *
     * @param content the journal's content
     * @param journal its path, for warnings
     * @return the run, or empty if the journal has no readable {@code start} event
     */
    Optional<RunRecord.Builder> replay(byte[] content, Path journal) {
        RunRecord.Builder b = new RunRecord.Builder();
        boolean started = false;
        int lineNo = 0;
        int from = 0;
        while (from < content.length) {
            int nl = indexOf(content, (byte) '\n', from);
            boolean terminated = nl >= 0;
            int to = terminated ? nl : content.length;
            lineNo++;
            String text = new String(content, from, to - from, StandardCharsets.UTF_8);
            from = to + 1;
            if (text.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = mapper.readTree(text);
            } catch (JsonProcessingException e) {
                node = null;
            }
            if (node == null || !node.isObject()) {
                if (!terminated) {
                    LOG.warn("Ignoring the incomplete last line {} of {} (the process was probably killed while "
                            + "writing it)", lineNo, journal);
                } else {
                    LOG.warn("Ignoring unreadable line {} of {}", lineNo, journal);
                }
                continue;
            }
            // An unterminated line that parses as a whole object is complete: only its newline is missing.
            try {
                started |= apply(node, b, journal, lineNo);
            } catch (RuntimeException e) {
                LOG.warn("Ignoring malformed event on line {} of {}: {}", lineNo, journal, e.getMessage());
            }
        }
        if (!started) {
            LOG.warn("Ignoring journal {}: it has no start event", journal);
            return Optional.empty();
        }
        return Optional.of(b);
    }

    /** Applies one event; returns true if it was the start event. */
    private boolean apply(JsonNode n, RunRecord.Builder b, Path journal, int lineNo) {
        String type = n.path("event").asText("");
        switch (type) {
            case "start":
                b.id = required(n, "run_id");
                b.name = n.path("name").isTextual() ? n.get("name").textValue() : "";
                b.parentRunId = n.path("parent_run_id").isTextual() ? n.get("parent_run_id").textValue() : null;
                b.experimentId = required(n, "experiment_id");
                b.startTimeMs = n.path("start_time").asLong();
                readStrings(n.path("tags"), b.tags);
                renameFromTag(b);
                return true;
            case "params":
                readStrings(n.path("params"), b.params);
                return false;
            case "tags":
                readStrings(n.path("tags"), b.tags);
                renameFromTag(b);
                return false;
            case "metrics":
                for (JsonNode m : n.path("metrics")) {
                    b.addMetric(new MetricPoint(required(m, "key"), decodeDouble(m.get("value")),
                            m.path("step").asLong(), m.path("timestamp").asLong()));
                }
                return false;
            case "inputs":
                for (JsonNode d : n.path("datasets")) {
                    b.addInput(new DatasetInput(required(d, "name"), required(d, "digest"), required(d, "source_type"),
                            required(d, "source"), d.path("schema").asText(""), d.path("profile").asText(""),
                            required(d, "context")));
                }
                return false;
            case "artifact":
                ArtifactRecord a = new ArtifactRecord(required(n, "path"), required(n, "sha256"),
                        n.path("size").asLong());
                // put() on an existing key keeps its first-logged position and takes the newer record
                b.artifacts.put(a.path(), a);
                return false;
            case "end":
                b.status = RunStatus.valueOf(required(n, "status"));
                b.endTimeMs = n.path("end_time").asLong();
                return false;
            default:
                // A newer writer may add event types; older readers skip them rather than fail.
                LOG.warn("Ignoring unknown event '{}' on line {} of {}", type, lineNo, journal);
                return false;
        }
    }

    private static void renameFromTag(RunRecord.Builder b) {
        String tagged = b.tags.get("mlflow.runName");
        if (tagged != null) {
            b.name = tagged;
        }
    }

    private static String required(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("missing '" + field + "'");
        }
        return v.textValue();
    }

    private static void readStrings(JsonNode obj, Map<String, String> into) {
        for (Map.Entry<String, JsonNode> e : obj.properties()) {
            JsonNode v = e.getValue();
            if (v.isNull()) {
                continue;
            }
            into.put(e.getKey(), v.isTextual() ? v.textValue() : v.toString());
        }
    }

    private ObjectNode event(String type) {
        ObjectNode n = mapper.createObjectNode();
        n.put("event", type);
        return n;
    }

    private ObjectNode stringMap(Map<String, String> map) {
        ObjectNode n = mapper.createObjectNode();
        map.forEach(n::put);
        return n;
    }

    private byte[] line(ObjectNode n) {
        try {
            // Jackson escapes control characters inside strings, so the only newline is the terminator.
            byte[] json = mapper.writeValueAsBytes(n);
            byte[] out = new byte[json.length + 1];
            System.arraycopy(json, 0, out, 0, json.length);
            out[json.length] = '\n';
            return out;
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int indexOf(byte[] a, byte b, int from) {
        for (int i = from; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** Reads an {@code experiment.json}. */
    ExperimentRecord readExperiment(byte[] content, Path directory) throws IOException {
        JsonNode n = mapper.readTree(content);
        Map<String, String> tags = new java.util.LinkedHashMap<>();
        readStrings(n.path("tags"), tags);
        return new ExperimentRecord(required(n, "id"), required(n, "name"), n.path("created").asLong(), directory,
                tags);
    }

    /** Writes an {@code experiment.json}. */
    byte[] experiment(String id, String name, long createdMs, Map<String, String> tags) {
        ObjectNode n = mapper.createObjectNode();
        n.put("id", id);
        n.put("name", name);
        n.put("created", createdMs);
        if (!tags.isEmpty()) {
            n.set("tags", stringMap(tags));
        }
        return line(n);
    }
}
