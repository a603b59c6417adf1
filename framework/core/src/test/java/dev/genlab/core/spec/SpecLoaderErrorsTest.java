package dev.genlab.core.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One malformed spec per error class: each must be reported at its exact place, with a fix. */
class SpecLoaderErrorsTest {

    private final SpecLoader loader = new SpecLoader(SpecTestPlugins.registry(), Map.of("HOME", "/home/x")::get);

    static Path spec(String name) {
        try {
            return Path.of(SpecLoaderErrorsTest.class.getResource("/specs/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource " + name, e);
        }
    }

    private List<SpecError> errors(String name, String... overrides) {
        SpecException e = assertThrows(SpecException.class, () -> loader.load(spec(name), List.of(overrides)));
        return e.errors();
    }

    /** Loads a file expected to have exactly one error and checks all of it. */
    private void assertOnly(String name, int line, int column, String message, String hint) {
        List<SpecError> errors = errors("invalid/" + name);
        assertEquals(1, errors.size(), () -> "expected one error, got " + errors);
        assertError(errors.get(0), spec("invalid/" + name), line, column, message, hint);
    }

    private static void assertError(SpecError e, Path file, int line, int column, String message, String hint) {
        assertEquals(file, e.file(), "file");
        assertEquals(line, e.line(), "line of " + e.message());
        assertEquals(column, e.column(), "column of " + e.message());
        assertEquals(message, e.message());
        assertEquals(hint, e.hint());
    }

    @Test
    void misspeltKeySuggestsTheKnownOne() {
        assertOnly("unknown-key.yaml", 4, 3, "train.stpes: unknown key",
                "did you mean 'steps'? keys under train: steps, batch_size, eval_every, log_every, checkpoint_every");
    }

    @Test
    void systemMetricsTakeTrueOrFalse() {
        assertOnly("system-metrics.yaml", 6, 19, "tracking.system_metrics: expected true or false, got 'maybe'",
                "write true or false");
    }

    @Test
    void unknownPluginListsTheInstalledOnes() {
        assertOnly("unknown-plugin.yaml", 5, 13, "paradigms[0].plugin: unknown paradigm plugin 'gann'",
                "did you mean 'gan'? installed paradigm plugins: diffusion, gan, vae");
    }

    @Test
    void unknownDatasetListsTheInstalledOnes() {
        assertOnly("unknown-dataset.yaml", 3, 9, "dataset.name: unknown dataset 'ring9'",
                "did you mean 'ring8'? installed datasets: digits, grid25, ring8");
    }

    @Test
    void unknownMetricListsTheInstalledOnes() {
        assertOnly("unknown-metric.yaml", 4, 19, "evaluate.metrics[1]: unknown metric 'frechett'",
                "did you mean 'frechet'? installed metrics: frechet, modes, prdc");
    }

    @Test
    void periodicEvaluationSettingsAreCheckedWhereTheyAre() {
        List<SpecError> errors = errors("invalid/periodic.yaml");
        assertEquals(2, errors.size(), errors::toString);
        assertError(errors.get(0), spec("invalid/periodic.yaml"), 4, 29,
                "evaluate.periodic_metrics[1]: unknown metric 'prdcc'",
                "did you mean 'prdc'? installed metrics: frechet, modes, prdc");
        assertError(errors.get(1), spec("invalid/periodic.yaml"), 5, 21, "evaluate.periodic_samples: 0 is out of range",
                "allowed: [1, 2147483647]");
    }

    @Test
    void misspeltPluginParameterSuggestsTheSchemaOne() {
        assertOnly("unknown-param.yaml", 6, 7, "gan.lrr: unknown parameter of plugin 'gan'",
                "did you mean 'lr'? parameters of plugin 'gan': lr, loss, d_steps, spectral_norm");
    }

    @Test
    void outOfRangeParameterShowsTheAllowedRange() {
        assertOnly("out-of-range.yaml", 7, 11, "gan.lr: 5.0 is out of range", "allowed: [1.0E-6, 1.0]");
    }

    @Test
    void negativeCheckpointCadenceIsLocated() {
        assertOnly("checkpoint-negative.yaml", 5, 21, "train.checkpoint_every: -5 is out of range",
                "allowed: [0, 2147483647]");
    }

    @Test
    void choiceOutsideTheChoicesSuggestsOne() {
        assertOnly("bad-choice.yaml", 6, 13, "gan.loss: 'hinj' is not one of the choices",
                "did you mean 'hinge'? allowed: non_saturating, hinge, wasserstein");
    }

    @Test
    void duplicateParadigmNamePointsAtTheSecond() {
        Path file = spec("invalid/duplicate-paradigm.yaml");
        assertOnly("duplicate-paradigm.yaml", 6, 12, "paradigms[2].name: duplicate paradigm name 'gan'",
                "paradigm names must be unique (the first 'gan' is at duplicate-paradigm.yaml:4:12);"
                        + " give this entry another name:, e.g. gan-2");
        assertTrue(file.toString().endsWith("duplicate-paradigm.yaml"));
    }

    @Test
    void textWhereAnIntegerBelongsIsATypeError() {
        assertOnly("type-mismatch.yaml", 4, 10, "train.steps: expected an integer, got 'abc'",
                "write a whole number such as 1000 (allowed: [1, 2147483647])");
    }

    @Test
    void aFractionWhereAnIntegerBelongsIsATypeErrorButIntsAreFineForDoubles() {
        // beta: 2 is an integer written for a double parameter: accepted; latent_dim: 2.5 is not.
        assertOnly("int-given-double.yaml", 5, 26, "vae.latent_dim: expected an integer, got '2.5'",
                "write a whole number such as 8 (allowed: [1, 512])");
    }

    @Test
    void badIndentationIsReportedWhereSnakeYamlFoundIt() {
        assertOnly("bad-syntax.yaml", 5, 2, "invalid YAML: expected <block end>, but found '<block mapping start>'",
                "check the indentation: the keys of one mapping start in the same column; "
                        + "while parsing a block mapping started at line 1, column 1");
    }

    @Test
    void tabsGetTheirOwnHint() {
        List<SpecError> errors = errors("invalid/tab-indent.yaml");
        assertEquals(1, errors.size());
        assertEquals(3, errors.get(0).line());
        assertEquals(1, errors.get(0).column());
        assertTrue(errors.get(0).message().startsWith("invalid YAML: found character '\\t(TAB)'"),
                errors.get(0).message());
        assertEquals("indent with spaces; YAML does not allow tabs", errors.get(0).hint());
    }

    @Test
    void unsetEnvironmentVariableWithoutDefaultIsAnError() {
        assertOnly("missing-env.yaml", 5, 11, "environment variable GENLAB_TEST_DATA_DIR is not set",
                "set it (export GENLAB_TEST_DATA_DIR=...) or give a default: ${env:GENLAB_TEST_DATA_DIR:-value}");
    }

    @Test
    void sweepKeysNamingUnknownParadigmsOrParametersSuggestTheRightKey() {
        List<SpecError> errors = errors("invalid/bad-sweep-key.yaml");
        Path file = spec("invalid/bad-sweep-key.yaml");
        assertEquals(2, errors.size(), errors::toString);
        assertError(errors.get(0), file, 8, 5, "sweep.parameters.gann.lr: unknown paradigm 'gann'",
                "did you mean 'gan.lr'? sweep keys are <paradigm>.<param>, train.<key>, dataset.params.<param>"
                        + " or evaluate.samples (paradigms: gan, vae)");
        assertError(errors.get(1), file, 9, 5, "sweep.parameters.vae.bta: unknown parameter of plugin 'vae'",
                "did you mean 'vae.beta'? parameters of plugin 'vae': beta, latent_dim");
    }

    @Test
    void sweepValuesAreCheckedAgainstTheSchema() {
        List<SpecError> errors = errors("invalid/sweep-values.yaml");
        Path file = spec("invalid/sweep-values.yaml");
        assertEquals(3, errors.size(), errors::toString);
        assertError(errors.get(0), file, 7, 22, "sweep.parameters.gan.d_steps[1]: expected an integer, got '2.5'",
                "write a whole number such as 1 (allowed: [1, 10])");
        assertError(errors.get(1), file, 7, 27, "sweep.parameters.gan.d_steps[2]: 50 is out of range",
                "allowed: [1, 10]");
        assertError(errors.get(2), file, 8, 24, "sweep.parameters.train.steps[1]: -5 is out of range",
                "allowed: [1, 2147483647]");
    }

    @Test
    void extendsCycleIsDetectedAtTheEntryClosingIt() {
        List<SpecError> errors = errors("invalid/cycle-a.yaml");
        assertEquals(1, errors.size(), errors::toString);
        assertError(errors.get(0), spec("invalid/cycle-b.yaml"), 1, 10,
                "extends cycle: cycle-a.yaml -> cycle-b.yaml -> cycle-a.yaml", "remove one of these extends: entries");
    }

    @Test
    void randomSweepWithoutTrialsIsAnError() {
        assertOnly("random-no-trials.yaml", 6, 11, "sweep.trials: missing required key for method: random",
                "add trials: N under sweep: (the number of random draws per paradigm)");
    }

    @Test
    void logUniformNeedsAPositiveLowerBound() {
        assertOnly("log-uniform-zero.yaml", 9, 28, "sweep.parameters.gan.lr.log_uniform: the lower bound must be > 0,"
                + " got 0", "log-uniform draws need positive bounds, e.g. {log_uniform: [1e-5, 1e-2]}");
    }

    @Test
    void distributionsNeedARandomSweep() {
        assertOnly("grid-distribution.yaml", 7, 16, "sweep.parameters.vae.beta: uniform draws need method: random",
                "set sweep.method: random and sweep.trials: N, or list grid values: vae.beta: [a, b, c]");
    }

    @Test
    void missingRequiredKeyPointsAtTheMapping() {
        assertOnly("missing-name.yaml", 1, 1, "name: missing required key",
                "add name: <experiment name> at the top level");
    }

    @Test
    void duplicateKeysAreRejected() {
        assertOnly("duplicate-key.yaml", 5, 3, "duplicate key 'steps'",
                "it is already defined at duplicate-key.yaml:4:3; keep only one");
    }

    @Test
    void aMissingBaseIsReportedAtTheExtendsEntry() {
        Path file = spec("invalid/missing-base.yaml");
        List<SpecError> errors = errors("invalid/missing-base.yaml");
        assertEquals(1, errors.size(), errors::toString);
        assertError(errors.get(0), file, 1, 10,
                "cannot read spec file " + file.resolveSibling("no-such-base.yaml") + ": no such file",
                "extends: paths are relative to the file that names them");
    }

    @Test
    void javaTypeTagsAreRefusedBySafeLoading() {
        assertOnly("custom-tag.yaml", 2, 10, "invalid YAML: Global tag is not allowed: tag:yaml.org,2002:java.io.File",
                "specs hold plain values only (strings, numbers, booleans, lists, mappings); remove the tag");
    }

    @Test
    void aMissingFileIsAnErrorWithoutPosition() {
        Path missing = Path.of("does/not/exist.yaml");
        SpecException e = assertThrows(SpecException.class, () -> loader.load(missing));
        assertEquals(1, e.errors().size());
        SpecError error = e.errors().get(0);
        assertEquals(missing, error.file());
        assertEquals(0, error.line());
        assertEquals("cannot read spec file does/not/exist.yaml: no such file", error.message());
        assertEquals("does/not/exist.yaml: cannot read spec file does/not/exist.yaml: no such file\n"
                + "    fix: check the path (relative to the current directory)", error.format());
    }

    @Test
    void everyErrorOfAFileIsReportedAtOnceInFileOrder() {
        Path file = spec("invalid/multi-error.yaml");
        List<SpecError> errors = errors("invalid/multi-error.yaml");
        List<String> expected = List.of(
                "2:1 sed: unknown key",
                "5:15 dataset.params.n: 0 is out of range",
                "7:10 train.steps: expected an integer, got '1.5'",
                "9:25 paradigms[0].plugin: unknown paradigm plugin 'gann'",
                "10:45 vae.beta: -1 is out of range",
                "12:14 sweep.seeds[1]: seed 0 is listed twice",
                "14:5 sweep.parameters.vae.latent: unknown parameter of plugin 'vae'");
        assertEquals(expected, errors.stream().map(e -> e.line() + ":" + e.column() + " " + e.message()).toList());
        assertTrue(errors.stream().allMatch(e -> file.equals(e.file())));
        assertEquals("did you mean 'seed'? top-level keys: name, seed, extends, dataset, train, evaluate, paradigms,"
                + " sweep, tracking", errors.get(0).hint());
        assertEquals("allowed: [0.0, 100.0]", errors.get(4).hint());
        // The exception message carries every error in the editor-friendly format.
        SpecException e = assertThrows(SpecException.class, () -> loader.load(file));
        assertTrue(e.getMessage().startsWith("7 error(s) in spec:\n" + file + ":2:1: sed: unknown key\n"
                + "    fix: did you mean 'seed'?"), e.getMessage());
    }

    @Test
    void overrideErrorsAreReportedAgainstTheCommandLine() {
        List<SpecError> errors = errors("valid/minimal.yaml", "train.steps=abc", "gann.lr=1e-3", "train.stpes=3",
                "noequals");
        assertTrue(errors.stream().allMatch(e -> e.file() == null && e.line() == 0), errors::toString);
        assertEquals(List.of(
                "override 'gann.lr=1e-3': unknown override key 'gann.lr'",
                "override 'noequals': expected key=value",
                "override 'train.steps=abc': train.steps: expected an integer, got 'abc'",
                "override 'train.stpes=3': train.stpes: unknown key"),
                errors.stream().map(SpecError::message).sorted().toList());
        SpecError unknown = errors.stream().filter(e -> e.message().contains("gann")).findFirst().orElseThrow();
        assertTrue(unknown.hint().startsWith("did you mean 'gan.lr'?"), unknown.hint());
        assertTrue(unknown.format().startsWith("<command line>: override 'gann.lr=1e-3'"), unknown.format());
    }

    @Test
    void errorsInAFileAndOnTheCommandLineComeTogether() {
        List<SpecError> errors = errors("invalid/unknown-key.yaml", "gan.lr=7");
        assertEquals(2, errors.size(), errors::toString);
        assertEquals(4, errors.get(0).line());
        assertNull(errors.get(1).file());
        assertEquals("override 'gan.lr=7': gan.lr: 7 is out of range", errors.get(1).message());
        assertFalse(errors.get(1).format().contains(":0:0"));
    }
}
