package dev.genlab.core.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which variables are secret, and how their values are hidden in values, text and bytes. */
class RedactorTest {

    private static final String TOKEN = "tok-3f9a1c77e2b4";
    private final Redactor secrets = Redactor.NONE.with("GENLAB_TEST_API_TOKEN", TOKEN).with("DB_PASSWORD", "pw1");

    @Test
    void secretNamesAreRecognisedInAnyCase() {
        for (String name : List.of("GENLAB_TEST_API_TOKEN", "MLFLOW_TRACKING_PASSWORD", "db_passwd", "AWS_SECRET",
                "OPENAI_API_KEY", "keyring", "GCP_CREDENTIALS", "hf_token")) {
            assertTrue(Redactor.looksSecret(name), name);
        }
        for (String name : List.of("HOME", "GENLAB_TEST_REGION", "STEPS", "DATA_DIR", "USER")) {
            assertFalse(Redactor.looksSecret(name), name);
        }
    }

    @Test
    void textGetsTheReferenceWhereverTheValueIs() {
        String ref = "${env:GENLAB_TEST_API_TOKEN}";
        assertEquals(ref, secrets.redact(TOKEN));
        assertEquals("https://u:" + ref + "@host/" + ref, secrets.redact("https://u:" + TOKEN + "@host/" + TOKEN));
        assertEquals("${env:DB_PASSWORD}", secrets.redact("pw1"), "a short secret is hidden as a whole value");
        assertEquals("upw1x", secrets.redact("upw1x"), "but not searched for inside text");
        assertEquals("nothing here", secrets.redact("nothing here"));
        assertEquals("Redactor[DB_PASSWORD, GENLAB_TEST_API_TOKEN]", secrets.toString());
        assertFalse(secrets.toString().contains(TOKEN));
    }

    @Test
    void aSecretInsideAnotherIsReplacedWithinTheLongerOne() {
        Redactor r = Redactor.NONE.with("SHORT_KEY", "abcd").with("LONG_KEY", "xxabcdxx");
        assertEquals("${env:LONG_KEY} ${env:SHORT_KEY}", r.redact("xxabcdxx abcd"));
    }

    @Test
    void valueTreesKeepTypesOfWhatIsNotSecret() {
        Redactor r = secrets.with("SEED_KEY", "12345");
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("lr", 0.2);
        params.put("steps", 12345L);
        params.put("url", "x-" + TOKEN);
        params.put("list", List.of(1L, TOKEN));
        Map<String, Object> out = r.redactMap(params);
        assertEquals(0.2, out.get("lr"));
        assertEquals("${env:SEED_KEY}", out.get("steps"), "a number that is a secret's value becomes its reference");
        assertEquals("x-${env:GENLAB_TEST_API_TOKEN}", out.get("url"));
        assertEquals(List.of(1L, "${env:GENLAB_TEST_API_TOKEN}"), out.get("list"));
        assertEquals(List.of("lr", "steps", "url", "list"), List.copyOf(out.keySet()));
        assertSame(params, Redactor.NONE.redactMap(params), "nothing secret: the same map");
    }

    @Test
    void bytesAreSearchedAsTextAndAsJsonEscaped() {
        Redactor quoted = Redactor.NONE.with("QUOTED_SECRET", "a\"b\\c");
        assertTrue(quoted.appearsIn("{\"k\":\"a\\\"b\\\\c\"}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(quoted.appearsIn("a\"b\\c".getBytes(StandardCharsets.UTF_8)));
        assertFalse(quoted.appearsIn("abc".getBytes(StandardCharsets.UTF_8)));
        byte[] in = ("{\"k\":\"a\\\"b\\\\c\"} " + "a\"b\\c").getBytes(StandardCharsets.UTF_8);
        assertArrayEquals("{\"k\":\"${env:QUOTED_SECRET}\"} ${env:QUOTED_SECRET}".getBytes(StandardCharsets.UTF_8),
                Redactor.redactBytes(in, in.length, quoted.bytePatterns()));
        assertFalse(secrets.appearsIn("pw1 pw1".getBytes(StandardCharsets.UTF_8)), "short secrets are not searched");
    }

    @Test
    void processWideSecretsOnlyGrow() {
        Redactor before = Redactor.processWide();
        Redactor.addProcessWide(Redactor.NONE.with("GENLAB_TEST_PROCESS_TOKEN", "process-wide-value"));
        Redactor.addProcessWide(Redactor.NONE);
        assertTrue(Redactor.processWide().names().contains("GENLAB_TEST_PROCESS_TOKEN"));
        assertTrue(Redactor.processWide().names().containsAll(before.names()));
        assertEquals("${env:GENLAB_TEST_PROCESS_TOKEN}", Redactor.processWide().redact("process-wide-value"));
    }
}
