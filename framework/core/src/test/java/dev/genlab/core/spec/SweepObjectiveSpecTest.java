package dev.genlab.core.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sweep.method: tpe}, {@code sweep.objective} and {@code sweep.early_stop}: parsing and every error. */
class SweepObjectiveSpecTest {

    private final SpecLoader loader = new SpecLoader(SpecTestPlugins.registry(), k -> null);

    @TempDir
    Path dir;

    private static final String HEAD = "name: s\ndataset: ring8\nparadigms: [gan]\n";

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("s.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private List<SpecError> errors(String yaml) throws Exception {
        Path file = write(yaml);
        return assertThrows(SpecException.class, () -> loader.load(file)).errors();
    }

    private void assertOnly(String yaml, int line, int column, String message, String hint) throws Exception {
        List<SpecError> errors = errors(yaml);
        assertEquals(1, errors.size(), () -> "expected one error, got " + errors);
        SpecError e = errors.get(0);
        assertEquals(message, e.message());
        assertEquals(hint, e.hint());
        assertEquals(line, e.line(), "line");
        assertEquals(column, e.column(), "column");
    }

    @Test
    void tpeWithObjectiveAndAshaIsParsedAndWrittenBack() throws Exception {
        ExperimentSpec spec = loader.load(write(HEAD + "train: {steps: 3000, eval_every: 250}\n"
                + "sweep:\n"
                + "  method: tpe\n"
                + "  trials: 30\n"
                + "  parameters: {gan.lr: {log_uniform: [1.0e-5, 1.0e-2]}}\n"
                + "  objective: {metric: eval/quality/high_quality_pct, mode: max}\n"
                + "  early_stop: {type: asha, grace_steps: 500, reduction_factor: 3}\n"));
        SweepSpec sweep = spec.sweep();
        assertEquals(SweepMethod.TPE, sweep.method());
        assertEquals(30, sweep.trials());
        assertEquals(new SweepObjective("high_quality_pct", SweepObjective.Mode.MAX), sweep.objective());
        assertEquals(new EarlyStopSpec(EarlyStopSpec.Type.ASHA, 500, 3, EarlyStopSpec.DEFAULT_MIN_TRIALS, 0),
                sweep.earlyStop());
        Path copy = dir.resolve("copy.yaml");
        Files.writeString(copy, loader.resolvedYaml(spec));
        ExperimentSpec again = loader.load(copy);
        assertEquals(sweep, again.sweep());
    }

    @Test
    void shortNamesAndFlatKeysNameTheSameMetricAndDefaultsFillIn() throws Exception {
        SweepSpec a = loader.load(write(HEAD + "train: {steps: 1000, eval_every: 100}\n"
                + "sweep: {parameters: {gan.lr: [1.0e-4, 2.0e-4]}, objective: {metric: reverse_kl, mode: min},"
                + " early_stop: {type: median}}\n")).sweep();
        assertEquals(new SweepObjective("reverse_kl", SweepObjective.Mode.MIN), a.objective());
        assertEquals(new EarlyStopSpec(EarlyStopSpec.Type.MEDIAN, 100, 3, 5, 0), a.earlyStop(),
                "grace_steps defaults to the first periodic evaluation");
        SweepSpec b = loader.load(write(HEAD + "sweep: {objective: {metric: eval/reverse_kl, mode: min}}\n")).sweep();
        assertEquals(a.objective(), b.objective());
        assertNull(b.earlyStop());
    }

    @Test
    void theObjectiveReadsLoggedKeysAndShortNames() {
        SweepObjective o = new SweepObjective("high_quality_pct", SweepObjective.Mode.MIN);
        assertEquals("eval/quality/high_quality_pct", o.key());
        assertEquals(OptionalDouble.of(7.0), o.read(Map.of("eval/quality/high_quality_pct", 7.0, "x", 1.0)));
        assertEquals(OptionalDouble.of(6.0), o.read(Map.of("eval/high_quality_pct", 6.0)));
        assertEquals(OptionalDouble.of(5.0), o.read(Map.of("high_quality_pct", 5.0)));
        assertEquals(OptionalDouble.empty(), o.read(Map.of("eval/quality/precision", 5.0)));
        assertEquals(-5.0, o.score(5.0));
        assertEquals(true, o.better(1.0, 2.0));
    }

    @Test
    void anUnknownMetricGetsADidYouMean() throws Exception {
        assertOnly(HEAD + "sweep:\n  objective: {metric: high_quality_pc, mode: max}\n", 5, 23,
                "sweep.objective.metric: unknown evaluation metric 'high_quality_pc'",
                "did you mean 'high_quality_pct'? evaluation metrics: modes_covered, high_quality_pct, reverse_kl, "
                        + "precision, precision_lenet, recall, recall_lenet, f1, f1_lenet, density, density_lenet, "
                        + "coverage, coverage_lenet, classes_covered, label_entropy, inception_score, "
                        + "conditional_accuracy, fd, fd_lenet, kid, kid_lenet, kid_std, kid_std_lenet, "
                        + "nll_nats_per_dim, nll_bits_per_dim, nll_nats, samples_per_second, evaluations_per_sample, "
                        + "train_step_ms, params_total, diverged");
    }

    @Test
    void aKeyInTheWrongGroupNamesTheRightOne() throws Exception {
        assertOnly(HEAD + "sweep:\n  objective: {metric: eval/coverage/high_quality_pct, mode: max}\n", 5, 23,
                "sweep.objective.metric: high_quality_pct is not logged under 'eval/coverage/high_quality_pct'",
                "write eval/quality/high_quality_pct or just high_quality_pct");
    }

    @Test
    void theObjectiveNeedsAMode() throws Exception {
        assertOnly(HEAD + "sweep:\n  objective: {metric: precision}\n", 5, 14,
                "sweep.objective.mode: missing required key",
                "add mode: max (larger is better) or mode: min (smaller is better)");
        assertOnly(HEAD + "sweep:\n  objective: {metric: precision, mode: up}\n", 5, 40,
                "sweep.objective.mode: 'up' is not one of the choices", "allowed: max, min");
    }

    @Test
    void earlyStoppingNeedsAnObjective() throws Exception {
        assertOnly(HEAD + "train: {eval_every: 100}\nsweep:\n  early_stop: {type: asha}\n", 6, 15,
                "sweep.objective: missing required key for early_stop",
                "add objective: {metric: high_quality_pct, mode: max} under sweep: (any evaluation metric; mode max"
                        + " or min)");
    }

    @Test
    void tpeNeedsTrialsAxesAndAnObjective() throws Exception {
        List<SpecError> errors = errors(HEAD + "sweep:\n  method: tpe\n");
        assertEquals(List.of("sweep.trials: missing required key for method: tpe",
                "sweep.parameters: method: tpe needs at least one axis",
                "sweep.objective: missing required key for method: tpe"),
                errors.stream().map(SpecError::message).toList());
        for (SpecError e : errors) {
            assertEquals(5, e.line());
            assertEquals(11, e.column());
        }
    }

    @Test
    void earlyStoppingNeedsPeriodicEvaluations() throws Exception {
        assertOnly(HEAD + "sweep:\n  objective: {metric: precision, mode: max}\n"
                        + "  early_stop: {type: asha, grace_steps: 50}\n", 6, 15,
                "sweep.early_stop: needs periodic evaluations, but train.eval_every is 0",
                "set train.eval_every: N (e.g. 50): early stopping judges trials at their periodic evaluations");
    }

    @Test
    void theObjectiveMustBeAPeriodicMetric() throws Exception {
        assertOnly(HEAD + "train: {eval_every: 100}\nsweep:\n  objective: {metric: fd, mode: min}\n"
                        + "  early_stop: {type: median}\n", 7, 15,
                "sweep.early_stop: the objective fd is not computed by the periodic evaluations (its metric "
                        + "'frechet' is not among the periodic metrics)",
                "add evaluate.periodic_metrics: [modes, prdc, frechet]");
        assertOnly(HEAD + "train: {eval_every: 100}\nevaluate: {periodic_metrics: [modes]}\n"
                        + "sweep:\n  objective: {metric: precision, mode: max}\n  early_stop: {type: median}\n", 8, 15,
                "sweep.early_stop: the objective precision is not computed by the periodic evaluations (its metric "
                        + "'prdc' is not among the periodic metrics)",
                "add prdc to evaluate.periodic_metrics (now [modes])");
    }

    @Test
    void theObjectiveMustBeEvaluated() throws Exception {
        assertOnly(HEAD + "evaluate: {metrics: [modes]}\nsweep:\n  objective: {metric: precision, mode: max}\n",
                6, 23, "sweep.objective.metric: precision is computed by the metric 'prdc', which evaluate.metrics "
                        + "leaves out", "add prdc to evaluate.metrics (now [modes])");
    }

    @Test
    void earlyStopKeysDependOnTheRule() throws Exception {
        assertOnly(HEAD + "train: {eval_every: 100}\nsweep:\n  objective: {metric: precision, mode: max}\n"
                        + "  early_stop: {type: asha, min_trials: 3}\n", 7, 28,
                "sweep.early_stop.min_trials: unknown key",
                "keys under sweep.early_stop: type, grace_steps, reduction_factor");
        assertOnly(HEAD + "train: {eval_every: 100}\nsweep:\n  objective: {metric: precision, mode: max}\n"
                        + "  early_stop: {type: asha, reduction_factor: 1}\n", 7, 46,
                "sweep.early_stop.reduction_factor: 1 is out of range", "allowed: [2, 100]");
    }

    @Test
    void budgetsMustLeaveRoomForARung() throws Exception {
        assertOnly(HEAD + "train: {steps: 1000, eval_every: 100}\nsweep:\n"
                        + "  objective: {metric: precision, mode: max}\n  early_stop: {type: asha, grace_steps: 1000}\n",
                7, 41, "sweep.early_stop.grace_steps: 1000 is not below train.steps 1000, so no trial could be stopped",
                "set grace_steps below 1000");
        // 100, 300, 900 < 1000: three brackets at most
        assertOnly(HEAD + "train: {steps: 1000, eval_every: 100}\nsweep:\n"
                        + "  objective: {metric: precision, mode: max}\n"
                        + "  early_stop: {type: hyperband, grace_steps: 100, brackets: 4}\n", 7, 61,
                "sweep.early_stop.brackets: 4 brackets need grace_steps * reduction_factor^3 below train.steps 1000",
                "use at most 3 brackets, or leave brackets out for as many as fit");
    }
}
