package dev.genlab.core.sweep;

import dev.genlab.core.spec.DatasetSpec;
import dev.genlab.core.spec.EvaluateSpec;
import dev.genlab.core.spec.TrainSpec;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The trial hash: the first 16 hex digits of the SHA-256 of a canonical text of a trial's fully resolved
 * configuration (plugin, parameters, dataset, training budget, evaluation settings, seed).
 *
 * <p>The canonical text sorts every mapping by key, sorts the metric names (their order changes nothing),
 * and writes doubles with {@link Double#toHexString} (exact and specified, unlike decimal printing, which
 * changed between JDK releases), so the hash depends only on the configuration: not on YAML formatting, key
 * order, the order of paradigms in the file, nor the paradigm's display name. Two paradigms configured
 * identically therefore share a hash; resuming treats them as the same work (no deduplication is done
 * when planning). Settings added after v1 ({@code evaluate.heldout}, {@code evaluate.periodic_metrics},
 * {@code evaluate.periodic_samples}, evaluation variants) enter the text
 * only when they differ from their defaults, so the hashes of existing specs did not change. The planner
 * passes the values of secret environment variables as their reference {@code ${env:NAME}} (see
 * {@link dev.genlab.core.spec.Redactor}), so no secret enters a hash; specs without secrets are unaffected.
 */
public final class TrialHasher {

    /** Bumped if the canonical form ever changes, so old and new hashes cannot collide by accident. */
    static final String VERSION = "genlab-trial-v1";

    /** Creates the hasher; it has no state. */
    @Inject
    public TrialHasher() {}

    /**
     * @param plugin the paradigm provider's name
     * @param params the plugin's fully resolved parameters
     * @param dataset the dataset with all parameters
     * @param train the training budget
     * @param evaluate the evaluation settings
     * @param seed the trial's seed
     * @return 16 lower-case hex digits
     */
    public String hash(String plugin, Map<String, Object> params, DatasetSpec dataset, TrainSpec train,
            EvaluateSpec evaluate, long seed) {
        return hash(plugin, params, dataset, train, evaluate, seed, Map.of());
    }

    /**
     * @param plugin the paradigm provider's name
     * @param params the plugin's fully resolved parameters
     * @param dataset the dataset with all parameters
     * @param train the training budget
     * @param evaluate the evaluation settings
     * @param seed the trial's seed
     * @param variants evaluation variants (name to sampling overrides), empty for none
     * @return 16 lower-case hex digits
     */
    public String hash(String plugin, Map<String, Object> params, DatasetSpec dataset, TrainSpec train,
            EvaluateSpec evaluate, long seed, Map<String, Map<String, Object>> variants) {
        String text = canonical(plugin, params, dataset, train, evaluate, seed, variants);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** @return the canonical text that {@link #hash} digests */
    public String canonical(String plugin, Map<String, Object> params, DatasetSpec dataset, TrainSpec train,
            EvaluateSpec evaluate, long seed) {
        return canonical(plugin, params, dataset, train, evaluate, seed, Map.of());
    }

    /** @return the canonical text that {@link #hash} digests, with evaluation variants */
    String canonical(String plugin, Map<String, Object> params, DatasetSpec dataset, TrainSpec train,
            EvaluateSpec evaluate, long seed, Map<String, Map<String, Object>> variants) {
        Map<String, Object> root = new TreeMap<>();
        root.put("plugin", plugin);
        root.put("params", params);
        root.put("dataset", Map.of("name", dataset.name(), "params", dataset.params()));
        root.put("train", Map.of("steps", (long) train.steps(), "batch_size", (long) train.batchSize(),
                "eval_every", (long) train.evalEvery(), "log_every", (long) train.logEvery()));
        List<String> metrics = new ArrayList<>(evaluate.metrics());
        metrics.sort(null);
        Map<String, Object> eval = new TreeMap<>(Map.of("samples", (long) evaluate.samples(), "metrics", metrics));
        if (evaluate.heldout() != EvaluateSpec.DEFAULT_HELDOUT) {
            eval.put("heldout", (long) evaluate.heldout());
        }
        if (!evaluate.periodicMetrics().isEmpty()) {
            List<String> periodic = new ArrayList<>(evaluate.periodicMetrics());
            periodic.sort(null);
            eval.put("periodic_metrics", periodic);
        }
        if (evaluate.periodicSamples() > 0) {
            eval.put("periodic_samples", (long) evaluate.periodicSamples());
        }
        root.put("evaluate", eval);
        if (!variants.isEmpty()) {
            root.put("variants", variants);
        }
        root.put("seed", seed);
        StringBuilder out = new StringBuilder(VERSION).append('\n');
        write(root, out);
        return out.toString();
    }

    private static void write(Object v, StringBuilder out) {
        if (v == null) {
            out.append("null");
        } else if (v instanceof Map<?, ?> m) {
            Map<String, Object> sorted = new TreeMap<>();
            m.forEach((k, x) -> sorted.put(String.valueOf(k), x));
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : sorted.entrySet()) {
                out.append(first ? "" : ",");
                first = false;
                string(e.getKey(), out);
                out.append(':');
                write(e.getValue(), out);
            }
            out.append('}');
        } else if (v instanceof Collection<?> c) {
            out.append('[');
            boolean first = true;
            for (Object x : c) {
                out.append(first ? "" : ",");
                first = false;
                write(x, out);
            }
            out.append(']');
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            out.append(Double.toHexString(d == 0.0 ? 0.0 : d)); // -0.0 and 0.0 are the same setting
        } else if (v instanceof Number n) {
            out.append(n.longValue());
        } else if (v instanceof Boolean b) {
            out.append(b);
        } else {
            string(v.toString(), out);
        }
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }
}
