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
        Path source) {

    /** Copies the list. */
    public ExperimentSpec {
        paradigms = List.copyOf(paradigms);
    }
}
