package dev.genlab.core.sweep;

import dev.genlab.core.spec.DatasetSpec;
import dev.genlab.core.spec.EvaluateSpec;
import dev.genlab.core.spec.ParadigmSpec;
import dev.genlab.core.spec.TrainSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One fully resolved unit of work: a paradigm configuration, dataset, budget and seed.
 *
 * @param index 0-based position in the sweep plan
 * @param paradigm the paradigm's name in the spec
 * @param plugin the paradigm provider's name
 * @param params the plugin's parameters after sweep values and defaults
 * @param dataset the dataset after sweep values and defaults
 * @param train the budget after sweep values
 * @param evaluate evaluation settings
 * @param seed the seed
 * @param swept the dotted keys this trial's sweep point set, with their values (for run names)
 * @param hash stable hash of the fully resolved configuration (hex, 16 chars)
 * @param variants evaluation variants of the paradigm: name to sampling-parameter overrides
 */
public record Trial(
        int index,
        String paradigm,
        String plugin,
        Map<String, Object> params,
        DatasetSpec dataset,
        TrainSpec train,
        EvaluateSpec evaluate,
        long seed,
        Map<String, Object> swept,
        String hash,
        Map<String, Map<String, Object>> variants) {

    /** Makes unmodifiable, order-keeping copies. */
    public Trial {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        swept = Collections.unmodifiableMap(new LinkedHashMap<>(swept));
        variants = new ParadigmSpec("-", "-", Map.of(), variants).variants();
    }

    /**
     * A trial without evaluation variants.
     *
     * @param index position in the plan
     * @param paradigm paradigm name
     * @param plugin provider name
     * @param params plugin parameters
     * @param dataset dataset
     * @param train budget
     * @param evaluate evaluation settings
     * @param seed seed
     * @param swept swept keys and values
     * @param hash configuration hash
     */
    public Trial(int index, String paradigm, String plugin, Map<String, Object> params, DatasetSpec dataset,
            TrainSpec train, EvaluateSpec evaluate, long seed, Map<String, Object> swept, String hash) {
        this(index, paradigm, plugin, params, dataset, train, evaluate, seed, swept, hash, Map.of());
    }

    /** @return a short run name such as {@code gan lr=0.0002 seed=1} */
    public String runName() {
        String axes = swept.entrySet().stream()
                .map(e -> shortKey(e.getKey()) + "=" + e.getValue())
                .collect(Collectors.joining(" "));
        return paradigm + (axes.isEmpty() ? "" : " " + axes) + " seed=" + seed;
    }

    private String shortKey(String dotted) {
        return dotted.startsWith(paradigm + ".") ? dotted.substring(paradigm.length() + 1) : dotted;
    }
}
