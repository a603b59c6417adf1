package dev.genlab.core.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.genlab.core.spec.DatasetSpec;
import dev.genlab.core.spec.EvaluateSpec;
import dev.genlab.core.spec.TrainSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrialHasherTest {

    private final TrialHasher hasher = new TrialHasher();
    private final DatasetSpec ring = new DatasetSpec("ring8", Map.of("n", 1000L, "std", 0.01));
    private final TrainSpec train = new TrainSpec(200, 32, 0, 10);
    private final EvaluateSpec eval = new EvaluateSpec(2500, List.of("prdc", "frechet"));

    @Test
    void canonicalFormIsSortedAndExact() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("lr", 2e-4);
        params.put("loss", "hinge");
        params.put("d_steps", 1L);
        params.put("spectral_norm", false);
        assertEquals("genlab-trial-v1\n"
                + "{\"dataset\":{\"name\":\"ring8\",\"params\":{\"n\":1000,\"std\":0x1.47ae147ae147bp-7}},"
                + "\"evaluate\":{\"metrics\":[\"frechet\",\"prdc\"],\"samples\":2500},"
                + "\"params\":{\"d_steps\":1,\"loss\":\"hinge\",\"lr\":0x1.a36e2eb1c432dp-13,\"spectral_norm\":false},"
                + "\"plugin\":\"gan\",\"seed\":1,"
                + "\"train\":{\"batch_size\":32,\"eval_every\":0,\"log_every\":10,\"steps\":200}}",
                hasher.canonical("gan", params, ring, train, eval, 1));
    }

    @Test
    void hashIsPinnedAcrossRuns() {
        // A fixed value: if this changes, every stored trial hash changes and resume breaks; bump
        // TrialHasher.VERSION deliberately instead.
        String h = hasher.hash("gan", Map.of("lr", 2e-4, "loss", "hinge"), ring, train, eval, 1);
        assertEquals(h, hasher.hash("gan", Map.of("loss", "hinge", "lr", 2e-4), ring, train, eval, 1));
        assertEquals(16, h.length());
        assertEquals(HASH_GOLDEN, h);
    }

    private static final String HASH_GOLDEN = "09590568ddeb3eef";

    @Test
    void metricOrderAndNegativeZeroDoNotMatterButTypesDo() {
        Map<String, Object> p = Map.of("beta", 0.0);
        String h = hasher.hash("vae", p, ring, train, eval, 0);
        assertEquals(h, hasher.hash("vae", Map.of("beta", -0.0), ring, train,
                new EvaluateSpec(2500, List.of("frechet", "prdc")), 0));
        assertNotEquals(h, hasher.hash("vae", Map.of("beta", 0L), ring, train, eval, 0));
        assertNotEquals(h, hasher.hash("gan", p, ring, train, eval, 0));
    }

    @Test
    void heldOutCountAndVariantsCountOnlyWhenTheyDifferFromTheDefaults() {
        Map<String, Object> p = Map.of("sampler", "ddpm");
        String h = hasher.hash("diffusion", p, ring, train, eval, 0);
        assertEquals(h, hasher.hash("diffusion", p, ring, train, eval, 0, Map.of()), "v1 specs keep their hashes");
        assertEquals(h, hasher.hash("diffusion", p, ring, train,
                new EvaluateSpec(2500, List.of("prdc", "frechet"), EvaluateSpec.DEFAULT_HELDOUT), 0));
        assertNotEquals(h, hasher.hash("diffusion", p, ring, train,
                new EvaluateSpec(2500, List.of("prdc", "frechet"), 0), 0));
        String withVariant = hasher.hash("diffusion", p, ring, train, eval, 0,
                Map.of("ddim50", Map.of("sampler", "ddim", "sample_steps", 50L)));
        assertNotEquals(h, withVariant);
        assertNotEquals(withVariant, hasher.hash("diffusion", p, ring, train, eval, 0,
                Map.of("ddim50", Map.of("sampler", "ddim", "sample_steps", 20L))));
    }

    @Test
    void periodicEvaluationSettingsCountOnlyWhenSet() {
        Map<String, Object> p = Map.of("lr", 0.1);
        String h = hasher.hash("gan", p, ring, train, eval, 0);
        assertEquals(h, hasher.hash("gan", p, ring, train,
                new EvaluateSpec(2500, List.of("prdc", "frechet"), EvaluateSpec.DEFAULT_HELDOUT, List.of(), 0), 0),
                "specs without them keep their hashes");
        String listed = hasher.hash("gan", p, ring, train,
                new EvaluateSpec(2500, List.of("prdc", "frechet"), EvaluateSpec.DEFAULT_HELDOUT, List.of("modes"), 0), 0);
        assertNotEquals(h, listed);
        assertNotEquals(h, hasher.hash("gan", p, ring, train,
                new EvaluateSpec(2500, List.of("prdc", "frechet"), EvaluateSpec.DEFAULT_HELDOUT, List.of(), 300), 0));
    }
}
