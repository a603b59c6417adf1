package dev.genlab.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.genlab.core.metrics.MetricKeys.Kind;
import dev.genlab.core.metrics.MetricKeys.Parsed;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The key hierarchy: what each built-in metric is filed under, and reading keys old and new. */
class MetricKeysTest {

    @Test
    void builtInMetricsAreGroupedByMeaning() {
        for (String m : List.of("precision", "density", "f1", "high_quality_pct", "fd", "kid", "kid_std",
                "inception_score", "conditional_accuracy", "precision_lenet", "fd_lenet", "kid_std_lenet")) {
            assertEquals("eval/quality/" + m, MetricKeys.eval(m), m);
        }
        for (String m : List.of("recall", "coverage", "modes_covered", "reverse_kl", "classes_covered",
                "label_entropy", "coverage_lenet")) {
            assertEquals("eval/coverage/" + m, MetricKeys.eval(m), m);
        }
        for (String m : List.of("nll_nats_per_dim", "nll_bits_per_dim", "nll_nats")) {
            assertEquals("eval/likelihood/" + m, MetricKeys.eval(m), m);
        }
        for (String m : List.of("samples_per_second", "evaluations_per_sample", "train_step_ms", "params_total",
                "params_generator")) {
            assertEquals("eval/cost/" + m, MetricKeys.eval(m), m);
        }
        for (String m : List.of("loss_d_std", "loss_oscillation", "diverged")) {
            assertEquals("diagnostics/" + m, MetricKeys.eval(m), m);
        }
        assertEquals("eval/other/sharpness", MetricKeys.eval("sharpness"), "another plugin's metric");
        assertEquals("eval/dpm20/quality/fd", MetricKeys.eval("dpm20", "fd"));
        assertEquals("diagnostics/active_units", MetricKeys.diagnostic("active_units"));
    }

    @Test
    void stepValuesAreLossesUnderTrainAndOptimiserStateUnderDiagnostics() {
        assertEquals("train/loss_d", MetricKeys.step("loss_d"));
        assertEquals("train/kl", MetricKeys.step("kl"));
        assertEquals("diagnostics/train/grad_norm", MetricKeys.step("grad_norm"));
        assertEquals("diagnostics/train/d_real", MetricKeys.step("d_real"));
        assertEquals("diagnostics/train/active_units", MetricKeys.step("active_units"));
        assertEquals("diagnostics/train/kl_dim_3", MetricKeys.step("kl_dim_3"));
    }

    @Test
    void everyParadigmHasAHeadlineLoss() {
        assertEquals(Optional.of("loss"), MetricKeys.headlineLoss(List.of("loss", "recon", "kl", "grad_norm")));
        assertEquals(Optional.of("nll"), MetricKeys.headlineLoss(List.of("grad_norm", "nll")));
        assertEquals(Optional.of("loss_g"), MetricKeys.headlineLoss(List.of("loss_d", "loss_g", "d_real")));
        assertEquals(Optional.of("loss_dec"), MetricKeys.headlineLoss(List.of("loss_d", "d_real", "loss_enc",
                "loss_dec")));
        assertEquals(Optional.of("objective"), MetricKeys.headlineLoss(List.of("d_fake", "objective")),
                "else the first value that is not a diagnostic");
        assertEquals(Optional.empty(), MetricKeys.headlineLoss(List.of("grad_norm")));
    }

    @Test
    void keysAreReadBackInThisSchemeAndInTheFlatOneOfOlderStores() {
        for (String m : List.of("precision", "modes_covered", "nll_nats", "params_total", "sharpness", "loss_std")) {
            assertEquals(Optional.of(new Parsed(Kind.EVALUATION, "", m)), MetricKeys.parse(MetricKeys.eval(m)), m);
            assertEquals(Optional.of(new Parsed(Kind.EVALUATION, "wide", m)),
                    MetricKeys.parse(MetricKeys.eval("wide", m)), m);
        }
        assertEquals(Optional.of(new Parsed(Kind.EVALUATION, "", "active_units")),
                MetricKeys.parse("diagnostics/active_units"));
        assertEquals(Optional.of(new Parsed(Kind.STEP, "", "loss_g")), MetricKeys.parse("train/loss_g"));
        assertEquals(Optional.of(new Parsed(Kind.STEP_DIAGNOSTIC, "", "grad_norm")),
                MetricKeys.parse("diagnostics/train/grad_norm"));
        // Flat keys, as stores written before the hierarchy hold them.
        assertEquals(Optional.of(new Parsed(Kind.EVALUATION, "", "modes_covered")),
                MetricKeys.parse("eval/modes_covered"));
        assertEquals(Optional.of(new Parsed(Kind.EVALUATION, "dpm20", "fd")), MetricKeys.parse("eval/dpm20/fd"));
        assertEquals(Optional.of(new Parsed(Kind.STEP, "", "grad_norm")), MetricKeys.parse("train/grad_norm"));
        assertEquals(Optional.empty(), MetricKeys.parse("system/cpu"));
    }
}
