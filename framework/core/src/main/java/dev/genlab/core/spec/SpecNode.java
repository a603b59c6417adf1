package dev.genlab.core.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * The located YAML tree genlab works on between parsing and validation. SnakeYAML nodes carry marks but
 * no file, and a spec is merged from several files plus overrides, so every node here keeps its own
 * {@link SourceLoc}. Maps are mutable only while the loader composes files and applies overrides.
 */
sealed interface SpecNode permits SpecNode.MapNode, SpecNode.ListNode, SpecNode.Scalar, SpecNode.Broken {

    /** @return where the node was written */
    SourceLoc loc();

    /** @return how the node reads in a "got ..." message */
    String describe();

    /** A mapping entry: its key (with the key's own location) and value. */
    record Entry(String key, SourceLoc keyLoc, SpecNode value) {}

    /** A YAML mapping with string keys, in file order. */
    final class MapNode implements SpecNode {
        private final SourceLoc loc;
        private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

        MapNode(SourceLoc loc) {
            this.loc = loc;
        }

        @Override
        public SourceLoc loc() {
            return loc;
        }

        @Override
        public String describe() {
            return "a mapping";
        }

        Map<String, Entry> entries() {
            return entries;
        }

        Entry entry(String key) {
            return entries.get(key);
        }

        SpecNode get(String key) {
            Entry e = entries.get(key);
            return e == null ? null : e.value();
        }

        void put(Entry e) {
            entries.put(e.key(), e);
        }

        Entry remove(String key) {
            return entries.remove(key);
        }
    }

    /**
     * A YAML sequence.
     *
     * @param loc where it starts
     * @param items its elements
     */
    record ListNode(SourceLoc loc, List<SpecNode> items) implements SpecNode {
        public ListNode {
            items = new ArrayList<>(items);
        }

        @Override
        public String describe() {
            return "a list";
        }
    }

    /**
     * A YAML scalar.
     *
     * @param loc where it starts
     * @param text the text as written (after interpolation)
     * @param tag the resolved tag (str, int, float, bool, null)
     * @param value the constructed value: String, Long, BigInteger, Double, Boolean or null
     */
    record Scalar(SourceLoc loc, String text, Tag tag, Object value) implements SpecNode {
        boolean isNull() {
            return Tag.NULL.equals(tag);
        }

        @Override
        public String describe() {
            return isNull() ? "nothing (null)" : "'" + text + "'";
        }
    }

    /**
     * A value whose problem was already reported (bad tag, missing environment variable); validation skips
     * it silently instead of piling a second error onto the same spot.
     *
     * @param loc where it was written
     */
    record Broken(SourceLoc loc) implements SpecNode {
        @Override
        public String describe() {
            return "an invalid value";
        }
    }
}
