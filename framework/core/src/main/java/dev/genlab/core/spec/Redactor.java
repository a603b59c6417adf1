package dev.genlab.core.spec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Hides the values of secret environment variables. A spec value that comes from {@code ${env:NAME}}, where
 * NAME looks secret (it contains TOKEN, PASSWORD, PASSWD, SECRET, KEY or CREDENTIAL, in any case) and the
 * variable is set and not empty, is a <em>secret</em>: the run uses the real value, but everything that
 * leaves the process shows {@code ${env:NAME}} in its place (logged params and tags, run names, the
 * {@code spec.yaml} artifact and every other text artifact, reports, and with the {@code genlab} command
 * everything it prints, logs included). The reference form keeps {@code spec.yaml} re-runnable: loaded with
 * the variable set, it resolves to the same value again.
 *
 * <p>Redaction is by value, so it cannot be forgotten on one path: any text that contains a secret's value
 * gets the reference instead, wherever the value went (a parameter, a URL built around it, an exception
 * message that quotes it). A value equal to a secret is always replaced; inside longer text, secrets of
 * {@value #MIN_SEARCH_LENGTH} or more characters are (searching for a shorter one would garble unrelated
 * text, and a value that short is no secret).
 *
 * <p>A redactor is immutable. {@link #processWide()} is the union of the secrets every spec loaded in this
 * process resolved: what process-wide outputs (the console, logs) hide.
 */
public final class Redactor {

    /** Hides nothing. */
    public static final Redactor NONE = new Redactor(List.of());

    /** Shorter secrets are only hidden where a whole value equals them. */
    public static final int MIN_SEARCH_LENGTH = 4;

    private static final Pattern SECRET_NAME =
            Pattern.compile(".*(TOKEN|PASSWORD|PASSWD|SECRET|KEY|CREDENTIAL).*", Pattern.CASE_INSENSITIVE);

    private static final AtomicReference<Redactor> PROCESS = new AtomicReference<>(NONE);

    /** A secret: the variable's name (shown) and its value (hidden). Its string form shows only the name. */
    private record Secret(String name, String value) {
        String reference() {
            return reference(name);
        }

        static String reference(String name) {
            return "${env:" + name + "}";
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Longest value first, so a secret that contains another one is replaced whole. */
    private final List<Secret> secrets;

    private Redactor(List<Secret> secrets) {
        List<Secret> sorted = new ArrayList<>(secrets);
        sorted.sort(Comparator.comparingInt((Secret s) -> s.value().length()).reversed()
                .thenComparing(Secret::name));
        this.secrets = List.copyOf(sorted);
    }

    /**
     * @param name an environment variable's name
     * @return whether its value is treated as a secret
     */
    public static boolean looksSecret(String name) {
        return SECRET_NAME.matcher(name).matches();
    }

    /**
     * @param name the variable's name
     * @return what a secret from that variable shows instead of its value: {@code ${env:NAME}}
     */
    public static String reference(String name) {
        return Secret.reference(name);
    }

    /**
     * @param name a secret variable's name
     * @param value its value; empty adds nothing
     * @return this redactor, also hiding {@code value}
     */
    public Redactor with(String name, String value) {
        Objects.requireNonNull(name, "name");
        if (value == null || value.isEmpty() || secrets.contains(new Secret(name, value))) {
            return this;
        }
        List<Secret> more = new ArrayList<>(secrets);
        more.add(new Secret(name, value));
        return new Redactor(more);
    }

    /**
     * @param other another redactor
     * @return one that hides the secrets of both
     */
    public Redactor and(Redactor other) {
        Redactor out = this;
        for (Secret s : other.secrets) {
            out = out.with(s.name(), s.value());
        }
        return out;
    }

    /** @return whether there is nothing to hide */
    public boolean isEmpty() {
        return secrets.isEmpty();
    }

    /** @return the names of the secret variables (never their values), sorted */
    public List<String> names() {
        return secrets.stream().map(Secret::name).distinct().sorted().toList();
    }

    /**
     * @param text any text, or null
     * @return the text with every secret value replaced by its reference
     */
    public String redact(String text) {
        if (text == null || secrets.isEmpty()) {
            return text;
        }
        String out = text;
        for (Secret s : secrets) {
            if (out.equals(s.value())) {
                return s.reference();
            }
            if (s.value().length() >= MIN_SEARCH_LENGTH && out.contains(s.value())) {
                out = out.replace(s.value(), s.reference());
            }
        }
        return out;
    }

    /**
     * Redacts a value tree as specs and params hold them: maps (their values; keys are schema names, never
     * interpolated) and lists are copied in order, strings redacted, and any other leaf (a number, a
     * boolean) whose text holds a secret becomes the redacted text.
     *
     * @param value a map, list or leaf, or null
     * @return the value itself when nothing in it is secret, else a redacted copy
     */
    public Object redactValue(Object value) {
        if (secrets.isEmpty() || value == null) {
            return value;
        }
        if (value instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k, redactValue(v)));
            return out;
        }
        if (value instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>(c.size());
            c.forEach(v -> out.add(redactValue(v)));
            return out;
        }
        if (value instanceof String s) {
            return redact(s);
        }
        String text = value.toString();
        String redacted = redact(text);
        return redacted.equals(text) ? value : redacted;
    }

    /**
     * @param values a map of values (spec or plugin parameters)
     * @return the same map when nothing is secret, else a redacted, order-keeping copy
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> redactMap(Map<String, Object> values) {
        return secrets.isEmpty() ? values : (Map<String, Object>) redactValue(values);
    }

    /**
     * @param values string values (params, tags)
     * @return a copy with keys and values redacted
     */
    public Map<String, String> redactStrings(Map<String, String> values) {
        if (secrets.isEmpty() || values == null) {
            return values;
        }
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(redact(k), redact(v)));
        return out;
    }

    /**
     * The byte sequences under which a secret's value can appear in a file or stream: its text in the given
     * charsets, also as escaped in a JSON string.
     *
     * @param charsets encodings to consider (UTF-8 is always included)
     * @return pairs of {value bytes, reference bytes}, longest value first
     */
    public List<byte[][]> bytePatterns(Charset... charsets) {
        List<Charset> all = new ArrayList<>(List.of(StandardCharsets.UTF_8));
        for (Charset c : charsets) {
            if (!all.contains(c)) {
                all.add(c);
            }
        }
        List<byte[][]> out = new ArrayList<>();
        for (Secret s : secrets) {
            if (s.value().length() < MIN_SEARCH_LENGTH) {
                continue;
            }
            List<String> forms = new ArrayList<>(List.of(s.value()));
            String json = jsonEscaped(s.value());
            if (!json.equals(s.value())) {
                forms.add(json);
            }
            for (String form : forms) {
                for (Charset c : all) {
                    out.add(new byte[][] {form.getBytes(c), s.reference().getBytes(c)});
                }
            }
        }
        out.sort(Comparator.comparingInt((byte[][] p) -> p[0].length).reversed());
        return out;
    }

    /**
     * @param bytes a file's or stream's bytes
     * @return whether a secret's value appears in them (see {@link #bytePatterns})
     */
    public boolean appearsIn(byte[] bytes) {
        for (byte[][] p : bytePatterns()) {
            if (indexOf(bytes, bytes.length, p[0], 0) >= 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param bytes bytes to redact
     * @param length how many of them
     * @param patterns from {@link #bytePatterns}
     * @return the first {@code length} bytes with every pattern's value bytes replaced by its reference bytes
     */
    public static byte[] redactBytes(byte[] bytes, int length, List<byte[][]> patterns) {
        byte[] out = Arrays.copyOf(bytes, length);
        for (byte[][] p : patterns) {
            int at = indexOf(out, out.length, p[0], 0);
            if (at < 0) {
                continue;
            }
            ByteArrayOutputStream next = new ByteArrayOutputStream(out.length);
            int from = 0;
            while (at >= 0) {
                next.write(out, from, at - from);
                next.write(p[1], 0, p[1].length);
                from = at + p[0].length;
                at = indexOf(out, out.length, p[0], from);
            }
            next.write(out, from, out.length - from);
            out = next.toByteArray();
        }
        return out;
    }

    private static int indexOf(byte[] bytes, int length, byte[] pattern, int from) {
        outer:
        for (int i = Math.max(0, from); i <= length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (bytes[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** How JSON writers (Jackson, the run store's journal) write a string's quotes and backslashes. */
    static String jsonEscaped(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /**
     * Adds secrets to the process-wide set (the spec loader does, for every spec it resolves).
     *
     * @param more secrets to hide from now on
     */
    public static void addProcessWide(Redactor more) {
        if (!more.isEmpty()) {
            PROCESS.updateAndGet(r -> r.and(more));
        }
    }

    /** @return every secret a spec loaded in this process resolved */
    public static Redactor processWide() {
        return PROCESS.get();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Redactor r && secrets.equals(r.secrets);
    }

    @Override
    public int hashCode() {
        return secrets.hashCode();
    }

    /** @return the secret variables' names, never their values */
    @Override
    public String toString() {
        return "Redactor" + names();
    }
}
