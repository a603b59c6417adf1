package dev.genlab.core.spec;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.genlab.core.plugin.PluginRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Property: whatever a spec file holds, loading and validating it either succeeds or throws a
 * {@link SpecException} (the CLI's exit-2 path) whose every error names file, line and column; never another
 * exception, never a hang. Cases are random mutations of every spec in {@code experiments/}: keys deleted or
 * renamed, values of another type, huge, negative and non-finite numbers, random Unicode, anchors and
 * aliases, and text-level damage (truncation, inserted bytes, shuffled lines). The huge inputs (bombs, deep
 * nesting, a 10 MB file) are {@link SpecFuzzHugeTest}'s. Seeds are fixed so a run is reproducible.
 */
class SpecFuzzTest {

    /**
     * A case using this much CPU time means unbounded work (an alias bomb, a parser hang). CPU time of the
     * loading thread, not wall time: other processes on the cores stretch the wall clock (a loaded machine
     * once took 20 s of wall time for a case that needs about one second of CPU) but not this thread's CPU.
     */
    static final long MAX_MILLIS = 10_000;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** @return this thread's CPU time in ns, or wall time where the JVM cannot measure CPU time */
    private static long now() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    private static final Counts COUNTS = new Counts();

    /** Outcomes of one test class's cases, printed at its end for the record. */
    static final class Counts {
        final AtomicLong cases = new AtomicLong();
        final AtomicLong rejected = new AtomicLong();
        final AtomicLong accepted = new AtomicLong();

        void print(String what) {
            System.out.printf("%s: %d cases, %d rejected with file:line:column, %d accepted, 0 other outcomes%n",
                    what, cases.get(), rejected.get(), accepted.get());
        }
    }

    private static Path dir;
    private static List<String> bases;
    private static SpecLoader loader;

    /** What is done to a base spec. */
    enum Mutation {
        DELETE_KEY, RENAME_KEY, SWAP_TYPE, NUMBER, NON_FINITE, UNICODE_VALUE, ALIAS, ENV,
        TRUNCATE, INSERT_BYTES, INSERT_UNICODE, SHUFFLE_LINES, INDENT, OVERRIDE
    }

    @BeforeContainer
    static void setUp() throws IOException {
        // Cases are written beside copies of the specs, so the extends: of a mutated spec finds its base.
        dir = Files.createTempDirectory("spec-fuzz");
        for (Path f : ExperimentSpecs.files()) {
            Files.copy(f, dir.resolve(f.getFileName()));
        }
        bases = new ArrayList<>(ExperimentSpecs.texts().values());
        loader = loader(ExperimentSpecs.registry());
    }

    static SpecLoader loader(PluginRegistry registry) {
        Map<String, String> env = Map.of("HOME", "/home/fuzz", "STEPS", "500");
        return new SpecLoader(registry, env::get);
    }

    @AfterContainer
    static void tearDown() throws IOException {
        COUNTS.print("spec fuzz (mutated experiment specs)");
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** The unmodified specs load: otherwise every mutation would only test the first error. */
    @Example
    void everyExperimentSpecLoads() throws Exception {
        for (Path f : ExperimentSpecs.files()) {
            try {
                loader.load(f);
            } catch (SpecException e) {
                fail(f + " does not load against the fuzz registry: " + e.getMessage());
            }
        }
    }

    @Property(tries = 1200, seed = "20201")
    void mutatedSpecsLoadOrFailLocated(@ForAll("bases") int base, @ForAll Mutation mutation,
            @ForAll("seeds") long seed) {
        Random random = new Random(seed);
        String text = bases.get(base);
        List<String> overrides = List.of();
        byte[] content;
        if (mutation == Mutation.OVERRIDE) {
            overrides = List.of(randomKey(random, text) + "=" + randomValueText(random));
            content = text.getBytes(StandardCharsets.UTF_8);
        } else {
            content = mutate(text, mutation, random);
        }
        check(content, overrides, dir.resolve("case.yaml"), loader, COUNTS);
    }

    @Provide
    Arbitrary<Integer> bases() {
        return Arbitraries.integers().between(0, bases.size() - 1);
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    /**
     * Writes the content to {@code file} and loads it: asserts the property and counts the outcome.
     *
     * @return the spec error, or null if it loaded
     */
    static SpecException check(byte[] content, List<String> overrides, Path file, SpecLoader loader,
            Counts counts) {
        try {
            Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        counts.cases.incrementAndGet();
        long start = now();
        SpecException error = null;
        try {
            loader.load(file, overrides);
            counts.accepted.incrementAndGet();
        } catch (SpecException e) {
            error = e;
            counts.rejected.incrementAndGet();
        }
        long millis = (now() - start) / 1_000_000;
        assertTrue(millis < MAX_MILLIS, "loading took " + millis + " ms of CPU time");
        if (error != null) {
            assertTrue(!error.errors().isEmpty(), "a spec exception with no error");
            for (SpecError e : error.errors()) {
                boolean located = file.equals(e.file()) && e.line() >= 1 && e.column() >= 1;
                boolean fromOverride = e.file() == null && e.message().startsWith("override '");
                assertTrue(located || fromOverride, "not located at file:line:column: " + e.format());
                assertTrue(!e.message().isBlank(), "an error without a message");
            }
        }
        return error;
    }

    // ------------------------------------------------------------------------------------ mutations

    private static final String[] KEYS = {"name", "seed", "dataset", "train", "evaluate", "paradigms", "sweep",
        "tracking", "params", "plugin", "steps", "batch_size", "metrics", "seeds", "parameters", "method",
        "trials", "variants", "samples", "extends", "uri", "local_dir", "lr", "<<", "", "a.b", "gan.lr"};

    static byte[] mutate(String text, Mutation mutation, Random random) {
        return switch (mutation) {
            case DELETE_KEY, RENAME_KEY, SWAP_TYPE, NUMBER, NON_FINITE, UNICODE_VALUE, ENV ->
                    mutateTree(text, mutation, random).getBytes(StandardCharsets.UTF_8);
            case ALIAS -> alias(text, random).getBytes(StandardCharsets.UTF_8);
            case TRUNCATE -> {
                byte[] b = text.getBytes(StandardCharsets.UTF_8);
                yield java.util.Arrays.copyOf(b, random.nextInt(b.length + 1));
            }
            case INSERT_BYTES -> {
                byte[] b = text.getBytes(StandardCharsets.UTF_8);
                byte[] garbage = new byte[1 + random.nextInt(64)];
                random.nextBytes(garbage);
                int at = random.nextInt(b.length + 1);
                byte[] out = new byte[b.length + garbage.length];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(garbage, 0, out, at, garbage.length);
                System.arraycopy(b, at, out, at + garbage.length, b.length - at);
                yield out;
            }
            case INSERT_UNICODE -> {
                int at = random.nextInt(text.length() + 1);
                yield (text.substring(0, at) + randomUnicode(random, 1 + random.nextInt(16)) + text.substring(at))
                        .getBytes(StandardCharsets.UTF_8);
            }
            case SHUFFLE_LINES -> {
                List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
                int i = random.nextInt(lines.size());
                int j = random.nextInt(lines.size());
                if (random.nextBoolean()) {
                    lines.set(i, lines.set(j, lines.get(i)));
                } else {
                    lines.add(j, lines.get(i));
                }
                yield String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
            }
            case INDENT -> {
                List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
                int i = random.nextInt(lines.size());
                String line = lines.get(i);
                lines.set(i, random.nextBoolean() ? " ".repeat(1 + random.nextInt(3)) + line
                        : random.nextBoolean() ? "\t" + line : line.stripLeading());
                yield String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
            }
            case OVERRIDE -> throw new IllegalArgumentException("overrides are not file mutations");
        };
    }

    /** Edits the parsed document, then writes it back as YAML (block or flow style). */
    private static String mutateTree(String text, Mutation mutation, Random random) {
        Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        List<Slot> slots = new ArrayList<>();
        collect(doc, slots);
        int edits = 1 + random.nextInt(3);
        for (int k = 0; k < edits && !slots.isEmpty(); k++) {
            Slot s = slots.get(random.nextInt(slots.size()));
            switch (mutation) {
                case DELETE_KEY -> s.delete();
                case RENAME_KEY -> s.rename(random.nextInt(3) == 0 ? randomUnicode(random, 1 + random.nextInt(8), false)
                        : random.nextBoolean() ? KEYS[random.nextInt(KEYS.length)] : typo(s.key(), random));
                case SWAP_TYPE -> s.set(swapped(s.get(), random));
                case NUMBER -> s.set(number(random));
                case NON_FINITE -> s.set(nonFinite(random));
                case UNICODE_VALUE -> s.set(randomUnicode(random, random.nextInt(40), false));
                case ENV -> s.set(envText(random));
                default -> throw new IllegalArgumentException(mutation.name());
            }
        }
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(random.nextBoolean() ? DumperOptions.FlowStyle.BLOCK
                : DumperOptions.FlowStyle.FLOW);
        options.setAllowUnicode(random.nextBoolean());
        return new Yaml(options).dump(doc);
    }

    /** Puts an anchor on one line's value and aliases it elsewhere, or builds self-references. */
    private static String alias(String text, Random random) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        int i = random.nextInt(lines.size());
        int j = random.nextInt(lines.size());
        String a = lines.get(i);
        int colon = a.indexOf(": ");
        switch (random.nextInt(4)) {
            case 0 -> {
                if (colon > 0) {
                    lines.set(i, a.substring(0, colon + 2) + "&x " + a.substring(colon + 2));
                }
                String b = lines.get(j);
                int c = b.indexOf(": ");
                if (c > 0) {
                    lines.set(j, b.substring(0, c + 2) + "*x");
                }
            }
            case 1 -> lines.add(j, "z" + i + ": &r [*r]");
            case 2 -> lines.add(j, "<<: *x");
            default -> lines.add(j, "x" + i + ": &m {a: 1}\ny" + i + ": {<<: *m, b: 2}");
        }
        return String.join("\n", lines);
    }

    /** A place in the document: a mapping entry or a list element. */
    private record Slot(Map<Object, Object> map, Object mapKey, List<Object> list, int index) {
        Object get() {
            return map != null ? map.get(mapKey) : list.get(index);
        }

        void set(Object v) {
            if (map != null) {
                map.put(mapKey, v);
            } else if (index < list.size()) {
                list.set(index, v);
            }
        }

        void delete() {
            if (map != null) {
                map.remove(mapKey);
            } else if (index < list.size()) {
                list.remove(index);
            }
        }

        String key() {
            return map != null ? String.valueOf(mapKey) : "item";
        }

        void rename(String to) {
            if (map != null && map.containsKey(mapKey)) {
                map.put(to, map.remove(mapKey));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void collect(Object node, List<Slot> out) {
        if (node instanceof Map<?, ?> m) {
            Map<Object, Object> map = (Map<Object, Object>) m;
            for (Object k : new ArrayList<>(map.keySet())) {
                out.add(new Slot(map, k, null, 0));
                collect(map.get(k), out);
            }
        } else if (node instanceof List<?> l) {
            List<Object> list = (List<Object>) l;
            for (int i = 0; i < list.size(); i++) {
                out.add(new Slot(null, null, list, i));
                collect(list.get(i), out);
            }
        }
    }

    private static Object swapped(Object v, Random random) {
        if (v instanceof Map<?, ?> m) {
            return random.nextBoolean() ? new ArrayList<>(m.values()) : String.valueOf(m.keySet());
        }
        if (v instanceof List<?> l) {
            if (random.nextBoolean()) {
                Map<Object, Object> out = new LinkedHashMap<>();
                for (int i = 0; i < l.size(); i++) {
                    out.put("k" + i, l.get(i));
                }
                return out;
            }
            return l.isEmpty() ? null : l.get(0);
        }
        return switch (random.nextInt(4)) {
            case 0 -> new ArrayList<>(java.util.Collections.singletonList(v));
            case 1 -> new LinkedHashMap<>(Map.of("value", v == null ? "null" : v));
            case 2 -> v instanceof String ? (Object) 7L : String.valueOf(v);
            default -> v instanceof Boolean ? (Object) "yes" : Boolean.TRUE;
        };
    }

    private static Object number(Random random) {
        Object[] numbers = {Long.MAX_VALUE, Long.MIN_VALUE, (long) Integer.MAX_VALUE + 1, (long) Integer.MIN_VALUE,
            -1L, 0L, 1e308, -1e308, Double.MIN_VALUE, -0.0, new BigInteger("1" + "0".repeat(40)),
            new BigInteger("-9" + "9".repeat(60)), 2147483647L, -2147483648L, 1e-300};
        return random.nextInt(4) == 0 ? random.nextLong() * (random.nextBoolean() ? 1 : -1)
                : numbers[random.nextInt(numbers.length)];
    }

    private static Object nonFinite(Random random) {
        Object[] values = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, "NaN", "nan", ".nan",
            "inf", "Infinity", "-Infinity", ".inf", "-.inf", "1e999", "-1e999", "0x7FFFFFFFFFFFFFFFFF"};
        return values[random.nextInt(values.length)];
    }

    private static String envText(Random random) {
        String[] values = {"${env:HOME}", "${env:STEPS}", "${env:UNSET_VAR}", "${env:", "${env:}", "${env:1X}",
            "$${env:HOME}", "${env:STEPS:-}", "${env:UNSET:-${env:HOME}}", "${env:API_TOKEN:-s3cret}", "${}"};
        return values[random.nextInt(values.length)];
    }

    private static String typo(String key, Random random) {
        if (key.isEmpty()) {
            return "x";
        }
        StringBuilder b = new StringBuilder(key);
        int at = random.nextInt(b.length());
        switch (random.nextInt(3)) {
            case 0 -> b.deleteCharAt(at);
            case 1 -> b.insert(at, (char) ('a' + random.nextInt(26)));
            default -> b.setCharAt(at, Character.toUpperCase(b.charAt(at)));
        }
        return b.toString();
    }

    /** Random code points from the whole range: controls, combining marks, RTL, astral, surrogate halves. */
    static String randomUnicode(Random random, int length) {
        return randomUnicode(random, length, true);
    }

    /** @param halves whether lone surrogate halves may occur (they are written to a file as '?') */
    static String randomUnicode(Random random, int length, boolean halves) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int cp = switch (random.nextInt(6)) {
                case 0 -> random.nextInt(0x80);
                case 1 -> 0x300 + random.nextInt(0x70);
                case 2 -> 0x590 + random.nextInt(0x200);
                case 3 -> 0x1F300 + random.nextInt(0x300);
                case 4 -> halves ? 0xD800 + random.nextInt(0x800) : 0xFFFD;
                default -> random.nextInt(Character.MAX_CODE_POINT + 1);
            };
            if (!halves && cp >= 0xD800 && cp < 0xE000) {
                cp = 0xFFFD;
            }
            b.appendCodePoint(cp);
        }
        return b.toString();
    }

    private static String randomKey(Random random, String text) {
        String[] keys = {"train.steps", "gan.lr", "dataset.params.n", "sweep.seeds", "sweep.parameters.gan.lr",
            "name", "paradigms.0", "evaluate.metrics", "tracking.uri", "x.y.z", "", ".", "seed", "train"};
        return random.nextInt(4) == 0 ? randomUnicode(random, 1 + random.nextInt(6))
                : keys[random.nextInt(keys.length)];
    }

    private static String randomValueText(Random random) {
        String[] values = {"[1, 2", "{a: 1}", "&a [*a]", "!!python/object:os.system ls", "1e999", "-1", "",
            "[" + "[".repeat(100) + "]".repeat(100) + "]", "${env:UNSET}", "true", "0x10", "'unterminated"};
        return random.nextInt(4) == 0 ? randomUnicode(random, random.nextInt(12))
                : values[random.nextInt(values.length)];
    }
}
