package dev.genlab.core.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The console stream the genlab command prints (and logs) through. */
class RedactingOutputStreamTest {

    private static final String TOKEN = "tok-3f9a1c77e2b4";
    private final Redactor secrets = Redactor.NONE.with("GENLAB_TEST_API_TOKEN", TOKEN);

    @Test
    void hidesTheSecretsKnownWhenALineIsWrittenEvenInPieces() {
        AtomicReference<Redactor> current = new AtomicReference<>(Redactor.NONE);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream console = new PrintStream(
                new RedactingOutputStream(sink, current::get, StandardCharsets.UTF_8), true, StandardCharsets.UTF_8);
        console.println("before: " + TOKEN);
        current.set(secrets);
        console.print("progress " + TOKEN + "\r");
        console.flush();
        console.print("one line in two prints: " + TOKEN.substring(0, 5));
        console.println(TOKEN.substring(5) + ", then ü");
        byte[] event = ("12:00 WARN x - failed: " + TOKEN + "\n").getBytes(StandardCharsets.UTF_8);
        console.write(event, 0, event.length); // as Log4j writes: whole events, UTF-8 bytes
        String out = sink.toString(StandardCharsets.UTF_8);
        assertEquals("before: " + TOKEN + "\n" // known only later
                + "progress ${env:GENLAB_TEST_API_TOKEN}\r"
                + "one line in two prints: ${env:GENLAB_TEST_API_TOKEN}, then ü\n"
                + "12:00 WARN x - failed: ${env:GENLAB_TEST_API_TOKEN}\n", out);
    }

    @Test
    void closingPassesOnAHeldBackTail() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        RedactingOutputStream out = new RedactingOutputStream(sink, () -> secrets, StandardCharsets.UTF_8);
        out.write("ends with tok-3f".getBytes(StandardCharsets.UTF_8));
        out.flush();
        assertEquals("ends with ", sink.toString(StandardCharsets.UTF_8), "the start of a secret waits");
        out.close();
        assertEquals("ends with tok-3f", sink.toString(StandardCharsets.UTF_8));
    }
}
