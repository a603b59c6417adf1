package dev.genlab.core.spec;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * A console stream that hides secret values: it passes bytes on line by line (and on every flush, for
 * progress lines that end in a carriage return), with each value of the current {@link Redactor} replaced
 * by its reference {@code ${env:NAME}}. The {@code genlab} command puts one in front of stdout and stderr, so
 * everything the process prints is covered: results, progress, errors, stack traces and logs (the Log4j
 * console appender follows {@code System.err}).
 *
 * <p>A value is found when it is written within one line, even in several writes. A line the process ends
 * on without a newline or a final flush or close loses at most a tail that looks like the start of a secret.
 */
public final class RedactingOutputStream extends FilterOutputStream {

    private final Supplier<Redactor> secrets;
    private final Charset charset;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private Redactor patternsOf;
    private List<byte[][]> patterns = List.of();

    /**
     * @param out where redacted bytes go
     * @param secrets the secrets to hide, asked at every line (they grow as specs are loaded)
     * @param charset the encoding of the text written (UTF-8, Log4j's, is always considered too)
     */
    public RedactingOutputStream(OutputStream out, Supplier<Redactor> secrets, Charset charset) {
        super(out);
        this.secrets = secrets;
        this.charset = charset;
    }

    /**
     * @param stream a console stream such as {@code System.err}
     * @param secrets the secrets to hide
     * @return an auto-flushing print stream that hides them and writes to {@code stream}
     */
    public static PrintStream printStream(PrintStream stream, Supplier<Redactor> secrets) {
        Charset charset = Charset.defaultCharset();
        return new PrintStream(new RedactingOutputStream(stream, secrets, charset), true, charset);
    }

    @Override
    public synchronized void write(int b) throws IOException {
        line.write(b);
        if (b == '\n') {
            emit(true);
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        int start = off;
        for (int i = off; i < off + len; i++) {
            if (b[i] == '\n') {
                line.write(b, start, i + 1 - start);
                emit(true);
                start = i + 1;
            }
        }
        line.write(b, start, off + len - start);
    }

    /** Passes on what was written, except a last few bytes that may be the start of a secret. */
    @Override
    public synchronized void flush() throws IOException {
        emit(false);
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        emit(true);
        out.flush();
        out.close();
    }

    /**
     * @param all pass everything on; else keep back a tail that is the start of a secret's value, so a
     *     secret printed in two writes (an auto-flushing print stream flushes after each) is still whole
     *     when it is searched for; the tail goes out with the next line, flush or close
     */
    private void emit(boolean all) throws IOException {
        if (line.size() == 0) {
            return;
        }
        Redactor current = secrets.get();
        byte[] bytes = line.toByteArray();
        line.reset();
        if (current.isEmpty()) {
            out.write(bytes);
            return;
        }
        if (current != patternsOf) {
            patterns = current.bytePatterns(charset);
            patternsOf = current;
        }
        byte[] redacted = Redactor.redactBytes(bytes, bytes.length, patterns);
        int keep = all ? 0 : startOfSecretAtEnd(redacted);
        out.write(redacted, 0, redacted.length - keep);
        line.write(redacted, redacted.length - keep, keep);
    }

    /** @return the length of the longest tail of {@code bytes} that a secret's value starts with (0 if none) */
    private int startOfSecretAtEnd(byte[] bytes) {
        int longest = 0;
        for (byte[][] p : patterns) {
            for (int k = Math.min(bytes.length, p[0].length - 1); k > longest; k--) {
                if (Arrays.equals(bytes, bytes.length - k, bytes.length, p[0], 0, k)) {
                    longest = k;
                    break;
                }
            }
        }
        return longest;
    }
}
