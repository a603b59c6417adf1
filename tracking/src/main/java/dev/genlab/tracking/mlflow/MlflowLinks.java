package dev.genlab.tracking.mlflow;

/**
 * Addresses in MLflow's web UI, and the experiment tag that tells MLflow 3 what an experiment is for.
 *
 * <p>MLflow 3's UI has two faces: "GenAI apps &amp; agents" (overview, traces) and "Machine learning"
 * (training runs, charts). Which one opens is decided in the browser: by a {@code workflowType} query
 * parameter when the address has one, else by the sidebar toggle remembered in the browser's local storage,
 * which starts at GenAI. The UI of MLflow 3.17.2 (the tested version) does not derive it from the
 * experiment's {@code mlflow.experimentKind} tag; the UI of earlier 3.x releases picked an experiment's
 * default tab from that tag (and asked the user when it was missing). So every link genlab prints carries
 * {@code workflowType=machine_learning}, and every experiment genlab creates is tagged as a custom
 * model-development (training) experiment.
 */
final class MlflowLinks {

    /** MLflow 3's experiment tag naming the experiment's kind. */
    static final String EXPERIMENT_KIND_TAG = "mlflow.experimentKind";
    /** The kind of a model-training experiment (MLflow's {@code ExperimentKind.CUSTOM_MODEL_DEVELOPMENT}). */
    static final String TRAINING_KIND = "custom_model_development";
    /** The query that opens the UI's model-training view. */
    static final String TRAINING_VIEW = "workflowType=machine_learning";

    private MlflowLinks() {}

    /**
     * @param trackingUri the server's base URI, without a trailing slash
     * @param experimentId MLflow's experiment id
     * @return the experiment's runs table in the model-training view
     */
    static String experiment(String trackingUri, String experimentId) {
        return base(trackingUri) + "/#/experiments/" + experimentId + "/runs?" + TRAINING_VIEW;
    }

    /**
     * @param trackingUri the server's base URI, without a trailing slash
     * @param experimentId MLflow's experiment id
     * @param runId MLflow's run id
     * @return the run's page in the model-training view
     */
    static String run(String trackingUri, String experimentId, String runId) {
        return base(trackingUri) + "/#/experiments/" + experimentId + "/runs/" + runId + "?" + TRAINING_VIEW;
    }

    private static String base(String uri) {
        return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    }
}
