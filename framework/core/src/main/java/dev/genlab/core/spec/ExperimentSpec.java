package dev.genlab.core.spec;

import java.nio.file.Path;
import java.util.List;

/**
 * A fully loaded, validated experiment spec (after {@code extends:}, overrides and interpolation).
 *
 * @param name experiment name (the MLflow experiment unless {@code tracking.experiment} is set)
 * @param seed base seed, used when the sweep lists no seeds
 * @param dataset the dataset to train on
 * @param train training budget
 * @param evaluate evaluation settings
 * @param paradigms the paradigms to train, unique by name
 * @param sweep how to expand trials
 * @param tracking where to record runs
 * @param source the spec file it came from
 * @param secrets the values of secret environment variables the spec's values hold (they are used as they
 *     are; records, artifacts and logs show {@code ${env:NAME}} instead, see {@link Redactor}); its string
 *     form names the variables only
 */
public record ExperimentSpec(
        String name,
        long seed,
        DatasetSpec dataset,
        TrainSpec train,
        EvaluateSpec evaluate,
        List<ParadigmSpec> paradigms,
        SweepSpec sweep,
        TrackingSpec tracking,
        Path source,
        Redactor secrets) {

    /** Copies the list; no secrets when null. */
    public ExperimentSpec {
        paradigms = List.copyOf(paradigms);
        secrets = secrets == null ? Redactor.NONE : secrets;
    }

    /**
     * A spec without secret values.
     *
     * @param name experiment name
     * @param seed base seed
     * @param dataset the dataset
     * @param train training budget
     * @param evaluate evaluation settings
     * @param paradigms the paradigms
     * @param sweep the sweep
     * @param tracking where to record runs
     * @param source the spec file
     */
    public ExperimentSpec(String name, long seed, DatasetSpec dataset, TrainSpec train, EvaluateSpec evaluate,
            List<ParadigmSpec> paradigms, SweepSpec sweep, TrackingSpec tracking, Path source) {
        this(name, seed, dataset, train, evaluate, paradigms, sweep, tracking, source, Redactor.NONE);
    }

    /**
     * @param secrets the secret values this spec holds
     * @return this spec with them
     */
    public ExperimentSpec withSecrets(Redactor secrets) {
        return new ExperimentSpec(name, seed, dataset, train, evaluate, paradigms, sweep, tracking, source, secrets);
    }

    /** @return every component, secret values hidden */
    @Override
    public String toString() {
        return secrets.redact("ExperimentSpec[name=" + name + ", seed=" + seed + ", dataset=" + dataset + ", train="
                + train + ", evaluate=" + evaluate + ", paradigms=" + paradigms + ", sweep=" + sweep + ", tracking="
                + tracking + ", source=" + source + ", secrets=" + secrets + "]");
    }
}
