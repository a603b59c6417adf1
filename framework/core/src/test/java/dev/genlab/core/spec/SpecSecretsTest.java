package dev.genlab.core.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genlab.core.sweep.SweepPlanner;
import dev.genlab.core.sweep.Trial;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values of secret-looking environment variables: used as they are, shown as {@code ${env:NAME}} in the
 * resolved spec and in errors, and kept out of the trial hash; other variables change nothing.
 */
class SpecSecretsTest {

    private static final String TOKEN = "tok-3f9a1c77e2b4";
    private static final String REF = "${env:GENLAB_TEST_API_TOKEN}";

    private static final String SPEC = """
            name: secrets
            dataset:
              name: digits
              params: {path: "https://user:${env:GENLAB_TEST_API_TOKEN}@data.example.org/${env:GENLAB_TEST_REGION}/d.bin"}
            paradigms:
              - {name: d, plugin: diffusion, params: {timesteps: "${env:GENLAB_TEST_STEPS_SECRET}", sampler: ddim}}
              - {name: g, plugin: gan, params: {loss: "${env:GENLAB_TEST_LOSS_KEY:-hinge}"}}
            sweep: {seeds: [0, 1]}
            """;

    @TempDir
    Path tmp;

    private static Map<String, String> env(String token) {
        Map<String, String> env = new HashMap<>();
        env.put("GENLAB_TEST_API_TOKEN", token);
        env.put("GENLAB_TEST_REGION", "eu-west-1");
        env.put("GENLAB_TEST_STEPS_SECRET", "4321");
        return env;
    }

    private ExperimentSpec load(String yaml, Map<String, String> env) throws Exception {
        Path file = tmp.resolve("spec-" + Integer.toHexString(yaml.hashCode()) + ".yaml");
        Files.writeString(file, yaml);
        return new SpecLoader(SpecTestPlugins.registry(), env::get).load(file);
    }

    @Test
    void theRunGetsTheValueAndTheResolvedSpecTheReference() throws Exception {
        ExperimentSpec spec = load(SPEC, env(TOKEN));

        assertEquals("https://user:" + TOKEN + "@data.example.org/eu-west-1/d.bin", spec.dataset().params().get("path"));
        assertEquals(4321L, spec.paradigms().get(0).params().get("timesteps"), "typed like any interpolated value");
        assertEquals(List.of("GENLAB_TEST_API_TOKEN", "GENLAB_TEST_STEPS_SECRET"), spec.secrets().names(),
                "not GENLAB_TEST_REGION (no secret name) nor GENLAB_TEST_LOSS_KEY (unset: its default is in the file)");
        assertFalse(spec.toString().contains(TOKEN), spec.toString());

        SpecWriter writer = new SpecWriter();
        String yaml = writer.toYaml(spec);
        assertFalse(yaml.contains(TOKEN), yaml);
        assertTrue(yaml.contains("https://user:" + REF + "@data.example.org/eu-west-1/d.bin"), yaml);
        assertTrue(yaml.contains("hinge"), yaml);
        @SuppressWarnings("unchecked")
        Map<String, Object> d = (Map<String, Object>) ((Map<String, Object>) ((List<?>) writer.toMap(spec)
                .get("paradigms")).get(0)).get("params");
        assertEquals("${env:GENLAB_TEST_STEPS_SECRET}", d.get("timesteps"));

        // The resolved spec re-runs the same trials once the variables are set again.
        Path again = tmp.resolve("again.yaml");
        Files.writeString(again, yaml);
        ExperimentSpec reloaded = new SpecLoader(SpecTestPlugins.registry(), env(TOKEN)::get).load(again);
        assertEquals(spec.dataset(), reloaded.dataset());
        assertEquals(spec.paradigms(), reloaded.paradigms());
        assertEquals(hashes(spec), hashes(reloaded));
    }

    @Test
    void aSecretEntersTheTrialHashAsItsReferenceOnly() throws Exception {
        List<String> hashes = hashes(load(SPEC, env(TOKEN)));
        assertEquals(4, hashes.size());
        assertEquals(hashes, hashes(load(SPEC, env("a-rotated-token-0000"))), "a new token is the same trial");
        Map<String, String> otherSteps = env(TOKEN);
        otherSteps.put("GENLAB_TEST_STEPS_SECRET", "1234");
        assertEquals(hashes.subList(0, 2), hashes(load(SPEC, otherSteps)).subList(0, 2),
                "a secret is never hashed, even one that changes the run: do not name such a variable like a secret");
        Map<String, String> otherRegion = env(TOKEN);
        otherRegion.put("GENLAB_TEST_REGION", "us-east-2");
        assertNotEquals(hashes, hashes(load(SPEC, otherRegion)), "other variables are hashed by value");
    }

    @Test
    void specsWithoutSecretsKeepTheirHashes() throws Exception {
        String viaEnv = SPEC.replace("${env:GENLAB_TEST_API_TOKEN}", "${env:GENLAB_TEST_USER_NAME}")
                .replace("${env:GENLAB_TEST_STEPS_SECRET}", "${env:GENLAB_TEST_STEPS}");
        String literal = SPEC.replace("${env:GENLAB_TEST_API_TOKEN}", "alice").replace("${env:GENLAB_TEST_REGION}",
                "eu-west-1").replace("\"${env:GENLAB_TEST_STEPS_SECRET}\"", "4321");
        Map<String, String> env = Map.of("GENLAB_TEST_USER_NAME", "alice", "GENLAB_TEST_REGION", "eu-west-1",
                "GENLAB_TEST_STEPS", "4321");
        ExperimentSpec spec = load(viaEnv, env);
        assertEquals(Redactor.NONE, spec.secrets());
        assertEquals(hashes(load(literal, Map.of())), hashes(spec));
        assertEquals(withoutHeader(new SpecWriter().toYaml(load(literal, Map.of()))),
                withoutHeader(new SpecWriter().toYaml(spec)));
    }

    @Test
    void errorsThatQuoteASecretShowItsReference() throws Exception {
        String bad = SPEC.replace("\"${env:GENLAB_TEST_STEPS_SECRET}\"", "\"${env:GENLAB_TEST_API_TOKEN}\"");
        SpecException e = assertThrows(SpecException.class, () -> load(bad, env(TOKEN)));
        assertFalse(e.getMessage().contains(TOKEN), e.getMessage());
        assertTrue(e.getMessage().contains("got '" + REF + "'"), e.getMessage());
        assertTrue(Redactor.processWide().names().contains("GENLAB_TEST_API_TOKEN"),
                "the console of this process hides it from now on");
    }

    private static String withoutHeader(String yaml) {
        return yaml.substring(yaml.indexOf('\n') + 1); // the first line names the source file
    }

    private static List<String> hashes(ExperimentSpec spec) {
        return new SweepPlanner().plan(spec).stream().map(Trial::hash).toList();
    }
}
