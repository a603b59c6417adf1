package dev.genlab.core.metrics;

import dev.genlab.core.data.MnistArchive;
import java.nio.file.Path;

/** The classifier store of the tests: the bundled weights, with a cache folder under target/ as fallback. */
final class TestStores {

    /** Cache folder of the tests; {@code mvn clean} removes it. */
    static final Path CACHE = Path.of("target", "genlab-test-cache");

    private TestStores() {}

    /** @return a new store (loads the bundled weights on first use) */
    static DigitClassifierStore shared() {
        return new DigitClassifierStore(CACHE, MnistArchive::bundled);
    }
}
