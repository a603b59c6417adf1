package dev.genlab.core.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The few huge or hostile spec files, one case each (the random mutations are {@link SpecFuzzTest}'s): alias
 * bombs, deep nesting, files of many megabytes, binary data, a device named as a spec. Each is refused with a
 * located error within {@link SpecFuzzTest#MAX_MILLIS}, and the error says which limit was crossed.
 */
class SpecFuzzHugeTest {

    private static final SpecFuzzTest.Counts COUNTS = new SpecFuzzTest.Counts();
    private static SpecLoader loader;

    @TempDir
    Path dir;

    @BeforeAll
    static void setUp() {
        loader = SpecFuzzTest.loader(ExperimentSpecs.registry());
    }

    @AfterAll
    static void printCounts() {
        COUNTS.print("spec fuzz (huge inputs)");
    }

    private SpecError refused(String text, String expected) {
        return refused(text.getBytes(StandardCharsets.UTF_8), List.of(), expected);
    }

    private SpecError refused(byte[] content, List<String> overrides, String expected) {
        SpecException e = SpecFuzzTest.check(content, overrides, dir.resolve("huge.yaml"), loader, COUNTS);
        assertNotNull(e, "accepted");
        assertTrue(e.errors().stream().anyMatch(x -> x.message().contains(expected)),
                "expected '" + expected + "' in "
                        + e.getMessage().substring(0, Math.min(2000, e.getMessage().length())));
        return e.errors().get(0);
    }

    @Test
    void billionLaughsIsRefusedAtTheAliasThatCrossesTheLimit() {
        StringBuilder b = new StringBuilder("name: lol\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i < 10; i++) {
            String prev = "*l" + (i - 1);
            b.append('l').append(i).append(": &l").append(i).append(" [")
                    .append(String.join(", ", java.util.Collections.nCopies(9, prev))).append("]\n");
        }
        SpecError e = refused(b.toString(), "aliases (*name) of lists or mappings");
        assertEquals(5, e.line(), "the 21st collection alias is on l3's line: " + e.format());
    }

    @Test
    void scalarAliasBombIsRefusedByTheExpansionLimit() {
        String text = "name: bomb\na: &a " + "x".repeat(1000) + "\nb: [" + String.join(",\n",
                java.util.Collections.nCopies(210_000, "*a")) + "]\n";
        refused(text, "holds more than 200000 values");
    }

    @Test
    void recursiveAliasesAreRefused() {
        refused("name: r\ntrain: &r {steps: *r}\n", "recursive YAML alias");
    }

    @Test
    void tenThousandLevelsOfFlowNestingAreRefused() {
        refused("name: deep\ntrain: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n", "nest more than 50 levels");
    }

    @Test
    void aThousandLevelsOfBlockNestingAreRefused() {
        String text = "name: deep\n" + IntStream.range(0, 1000).mapToObj(i -> " ".repeat(i) + "k" + i + ":")
                .collect(Collectors.joining("\n")) + " 1\n";
        refused(text, "nest more than 50 levels");
    }

    @Test
    void deeplyNestedOverrideIsRefusedAtTheOverride() {
        SpecException e = SpecFuzzTest.check(("name: o\ndataset: ring8\nparadigms: [gan]\n")
                .getBytes(StandardCharsets.UTF_8), List.of("train.steps=" + "[".repeat(10_000)
                        + "]".repeat(10_000)), dir.resolve("override.yaml"), loader, COUNTS);
        assertNotNull(e);
        assertTrue(e.getMessage().contains("override 'train.steps=[[[") && e.getMessage().contains("50 levels"),
                e.getMessage().substring(0, 300));
    }

    @Test
    void aTenMegabyteFileIsRefusedWhereItCrossesTheCharacterLimit() {
        StringBuilder b = new StringBuilder("name: big\nsweep:\n  seeds:\n");
        for (int i = 0; b.length() < 10_000_000; i++) {
            b.append("  - ").append(i).append('\n');
        }
        SpecError e = refused(b.toString(), "longer than 4194304 characters");
        assertTrue(e.line() > 300_000, e.format());
    }

    @Test
    void aLineOfManyMegabytesIsRefusedWithoutReadingIt() {
        SpecError e = refused("name: x\n# " + "x".repeat(3_000_000) + "\n", "line 2 is longer than 1048576");
        assertEquals(2, e.line(), e.format());
    }

    @Test
    void aLineJustUnderTheLimitLoads() {
        SpecFuzzTest.check(("name: x\n# " + "x".repeat((1 << 20) - 3) + "\ndataset: ring8\nparadigms: [gan]\n")
                .getBytes(StandardCharsets.UTF_8), List.of(), dir.resolve("long.yaml"), loader, COUNTS);
    }

    @Test
    void aFileOfManyMegabytesIsReadOnlyUpToTheLimit() {
        byte[] content = new byte[40 * 1024 * 1024];
        java.util.Arrays.fill(content, (byte) '\n'); // 40 MB of empty lines
        SpecError e = refused(content, List.of(), "longer than 4194304 characters");
        assertEquals(4194305, e.line(), e.format());
    }

    @Test
    void aLongListOfSeedsIsCheckedInLinearTime() {
        String seeds = IntStream.range(0, 150_000).mapToObj(Integer::toString).collect(Collectors.joining(",\n"));
        refused("name: many\ndataset: ring8\nparadigms: [gan]\nsweep: {seeds: [" + seeds + ", 7]}\n",
                "seed 7 is listed twice");
    }

    @Test
    void binaryGarbageIsNotUtf8() {
        byte[] garbage = new byte[1 << 20];
        new Random(7).nextBytes(garbage);
        garbage[0] = 'n'; // the first invalid byte is never the very first one
        SpecError e = refused(garbage, List.of(), "not valid UTF-8");
        assertTrue(e.line() >= 1 && e.column() >= 1, e.format());
    }

    @Test
    void controlCharactersAreLocated() {
        SpecError e = refused("name: x\ntrain:\n  steps: 1\u0000\u0001\n", "U+0000 is not allowed");
        assertEquals(3, e.line(), e.format());
        assertEquals(11, e.column(), e.format());
    }

    @Test
    void aDeviceNamedAsASpecIsRefused() {
        SpecFuzzTest.Counts c = COUNTS;
        c.cases.incrementAndGet();
        SpecException e = org.junit.jupiter.api.Assertions.assertThrows(SpecException.class,
                () -> loader.load(Path.of("/dev/zero")));
        c.rejected.incrementAndGet();
        assertTrue(e.getMessage().contains("/dev/zero: cannot read spec file /dev/zero: it is not a regular file"),
                e.getMessage());
    }
}
