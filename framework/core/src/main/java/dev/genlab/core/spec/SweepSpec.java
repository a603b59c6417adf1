package dev.genlab.core.spec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sweep section.
 *
 * @param seeds seeds each configuration runs with; empty means the spec's {@code seed} only
 * @param method grid or random
 * @param trials number of random draws (random method only)
 * @param parameters dotted key ({@code gan.lr}, {@code train.steps}, {@code dataset.params.std}) to axis
 */
public record SweepSpec(List<Long> seeds, SweepMethod method, int trials, Map<String, SweepAxis> parameters) {

    /** Copies the collections, keeping the axis order. */
    public SweepSpec {
        seeds = List.copyOf(seeds);
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /** A sweep of one configuration and no extra seeds. */
    public static final SweepSpec NONE = new SweepSpec(List.of(), SweepMethod.GRID, 0, Map.of());
}
