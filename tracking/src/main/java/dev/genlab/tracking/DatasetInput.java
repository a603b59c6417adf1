package dev.genlab.tracking;

import java.util.Objects;

/**
 * A dataset a run read, as MLflow records run inputs (its runs table's Dataset column): what the data is,
 * which exact content, where it came from, and in which role the run used it.
 *
 * @param name the dataset's name, e.g. {@code ring8}
 * @param digest a short fingerprint of the exact content (same content, same digest)
 * @param sourceType what kind of source {@code source} describes, e.g. {@code genlab}
 * @param source where the data comes from, as JSON text
 * @param schema the data's shape, as JSON text (may be empty)
 * @param profile a summary such as the number of examples, as JSON text (may be empty)
 * @param context the run's use of it: {@link #TRAINING} or {@link #EVALUATION}
 */
public record DatasetInput(String name, String digest, String sourceType, String source, String schema,
        String profile, String context) {

    /** The context of the data a run trained on. */
    public static final String TRAINING = "training";
    /** The context of the data a run was evaluated against. */
    public static final String EVALUATION = "evaluation";

    /** Checks the required fields; absent schema and profile become empty. */
    public DatasetInput {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(sourceType, "sourceType");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(context, "context");
        schema = schema == null ? "" : schema;
        profile = profile == null ? "" : profile;
    }

    /**
     * @return what identifies this input on a run: MLflow keeps one input per dataset name and digest (the
     *     first one logged, with its context)
     */
    public String identity() {
        return name + "\n" + digest;
    }
}
