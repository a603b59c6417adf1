package dev.genlab.tracking.mlflow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The UI addresses genlab prints. MLflow 3.17.2's UI routes (from its built JavaScript):
 * {@code /experiments/:experimentId/runs/:runUuid} is a run's page and {@code /experiments/:experimentId/:tabName}
 * with tab {@code runs} the runs table; the query {@code workflowType=machine_learning} selects the model-training
 * view over the GenAI one, which is the default of a browser that never toggled it.
 */
class MlflowLinksTest {

    @Test
    void runAndExperimentLinksOpenTheModelTrainingView() {
        assertEquals("http://127.0.0.1:5000/#/experiments/7/runs/0a1b2c?workflowType=machine_learning",
                MlflowLinks.run("http://127.0.0.1:5000", "7", "0a1b2c"));
        assertEquals("http://127.0.0.1:5000/#/experiments/7/runs?workflowType=machine_learning",
                MlflowLinks.experiment("http://127.0.0.1:5000", "7"));
    }

    @Test
    void aServerUnderAPathPrefixKeepsItsPrefix() {
        assertEquals("https://host/mlflow/#/experiments/1/runs/r?workflowType=machine_learning",
                MlflowLinks.run("https://host/mlflow", "1", "r"));
        assertEquals("https://host/mlflow/#/experiments/1/runs?workflowType=machine_learning",
                MlflowLinks.experiment("https://host/mlflow/", "1"));
    }
}
