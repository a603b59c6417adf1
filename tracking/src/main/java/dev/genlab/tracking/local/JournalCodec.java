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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Encodes journal events as single JSON lines and replays a journal into a {@link RunRecord}.
 * The format is described in {@code docs/run-store.md}; this class is its only implementation.
 */
final class JournalCodec {

    /**
     * Version of the journal format, written into every {@code start} event. Format 2 ends every line with a
     * CRC-32 of the rest ({@code ,"crc":"89abcdef"}); format 1 lines have none and are still read.
     */
    static final int FORMAT_VERSION = 2;

    /** {@code ,"crc":"} + 8 hex digits + {@code "}}: the end of every line since format 2. */
    private static final String CRC_FIELD = ",\"crc\":\"";
    private static final int CRC_SUFFIX = CRC_FIELD.length() + 8 + 2;

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
        boolean checksummed = true; // until a format-1 start event says otherwise
        int lineNo = 0;
        int from = 0;
        while (from < content.length) {
            int nl = indexOf(content, (byte) '\n', from);
            boolean terminated = nl >= 0;
            int to = terminated ? nl : content.length;
            lineNo++;
            int start = from;
            from = to + 1;
            if (new String(content, start, to - start, StandardCharsets.UTF_8).isBlank()) {
                continue;
            }
            String text = verified(content, start, to);
            JsonNode node;
            if (text != null) {
                node = parse(text);
            } else if (!checksummed) {
                node = parse(new String(content, start, to - start, StandardCharsets.UTF_8));
            } else if (!started) {
                // Without a valid checksum only a line of a format-1 journal is taken as written.
                node = parse(new String(content, start, to - start, StandardCharsets.UTF_8));
                if (node != null && node.path("event").asText("").equals("start")
                        && node.path("format").asInt(0) == 1 && !looksChecksummed(content, start, to)) {
                    checksummed = false;
                } else {
                    node = null;
                }
            } else {
                node = null;
            }
            if (node == null || !node.isObject()) {
                if (!terminated) {
                    LOG.warn("Ignoring the incomplete last line {} of {} (the process was probably killed while "
                            + "writing it)", lineNo, journal);
                } else if (looksChecksummed(content, start, to)) {
                    LOG.warn("Ignoring damaged line {} of {}: its checksum does not match its content", lineNo,
                            journal);
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

    private JsonNode parse(String text) {
        try {
            return mapper.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
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
                // All points of the event or none: a malformed one must not leave the batch half-applied.
                List<MetricPoint> points = new java.util.ArrayList<>();
                for (JsonNode m : n.path("metrics")) {
                    points.add(new MetricPoint(required(m, "key"), decodeDouble(m.get("value")),
                            m.path("step").asLong(), m.path("timestamp").asLong()));
                }
                points.forEach(b::addMetric);
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

    /**
     * One line: the object's JSON with a last field {@code "crc"}, the CRC-32 of the line as it would read
     * without that field, so a byte changed on disk (a flipped digit would still be valid JSON) is detected.
     */
    private byte[] line(ObjectNode n) {
        try {
            // Jackson escapes control characters inside strings, so the only newline is the terminator.
            byte[] json = mapper.writeValueAsBytes(n);
            CRC32 crc = new CRC32();
            crc.update(json);
            byte[] suffix = (CRC_FIELD + String.format("%08x", crc.getValue()) + "\"}\n")
                    .getBytes(StandardCharsets.US_ASCII);
            byte[] out = new byte[json.length - 1 + suffix.length];
            System.arraycopy(json, 0, out, 0, json.length - 1);
            System.arraycopy(suffix, 0, out, json.length - 1, suffix.length);
            return out;
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @return the line {@code content[from, to)} without its checksum field if the checksum matches, else null
     */
    private static String verified(byte[] content, int from, int to) {
        if (!looksChecksummed(content, from, to)) {
            return null;
        }
        int hexAt = to - 10;
        long expected;
        try {
            expected = Long.parseLong(new String(content, hexAt, 8, StandardCharsets.US_ASCII), 16);
        } catch (NumberFormatException e) {
            return null;
        }
        int bodyEnd = to - CRC_SUFFIX;
        CRC32 crc = new CRC32();
        crc.update(content, from, bodyEnd - from);
        crc.update('}');
        if (crc.getValue() != expected) {
            return null;
        }
        return new String(content, from, bodyEnd - from, StandardCharsets.UTF_8) + "}";
    }

    private static boolean looksChecksummed(byte[] content, int from, int to) {
        if (to - from < CRC_SUFFIX + 2 || content[to - 1] != '}' || content[to - 2] != '"') {
            return false;
        }
        byte[] field = CRC_FIELD.getBytes(StandardCharsets.US_ASCII);
        return Arrays.equals(content, to - CRC_SUFFIX, to - CRC_SUFFIX + field.length, field, 0, field.length);
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
        int to = content.length > 0 && content[content.length - 1] == '\n' ? content.length - 1 : content.length;
        String text = verified(content, 0, to);
        if (text == null && looksChecksummed(content, 0, to)) {
            throw new IOException("its checksum does not match its content: the file is damaged");
        }
        JsonNode n = text != null ? mapper.readTree(text) : mapper.readTree(content);
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
