package dev.genlab.core.spec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Applies Hydra-style dotted command-line overrides to a composed spec tree: {@code train.steps=500},
 * {@code dataset.params.n=100}, {@code sweep.seeds=[0,1]}, {@code sweep.parameters.gan.lr=[1e-4]}, and
 * {@code <paradigm>.<param>=value} for a paradigm's parameters. Values are YAML scalars or flow collections.
 * A value replaces what the file had at that key (mappings are not merged).
 */
final class Overrides {

    /** Sections an override may start with (besides a paradigm name). */
    static final List<String> SECTIONS =
            List.of("name", "seed", "dataset", "train", "evaluate", "paradigms", "sweep", "tracking");

    private final YamlReader reader;
    private final SpecErrors errors;

    Overrides(YamlReader reader, SpecErrors errors) {
        this.reader = reader;
        this.errors = errors;
    }

    void apply(SpecNode.MapNode root, List<String> overrides) {
        for (String text : overrides) {
            apply(root, text);
        }
    }

    private void apply(SpecNode.MapNode root, String text) {
        SourceLoc loc = SourceLoc.override(text);
        int eq = text.indexOf('=');
        if (eq <= 0) {
            errors.add(loc, "expected key=value", "e.g. train.steps=500 or gan.lr=1e-4");
            return;
        }
        String key = text.substring(0, eq).trim();
        List<String> parts = Arrays.asList(key.split("\\.", -1));
        if (parts.stream().anyMatch(String::isEmpty)) {
            errors.add(loc, "malformed key '" + key + "'", "write dotted names such as train.steps");
            return;
        }
        SpecNode value = reader.readValue(text.substring(eq + 1).trim(), loc, errors);
        if (value == null) {
            return;
        }
        String head = parts.get(0);
        if (SECTIONS.contains(head)) {
            List<String> path = parts;
            if (head.equals("sweep") && parts.size() > 2 && parts.get(1).equals("parameters")) {
                // sweep keys contain dots themselves: sweep.parameters.gan.lr sets the key "gan.lr"
                path = List.of("sweep", "parameters", String.join(".", parts.subList(2, parts.size())));
            } else if (head.equals("paradigms") && parts.size() > 1) {
                errors.add(loc, "paradigm entries cannot be addressed by path",
                        "set a paradigm's parameter with <paradigm>.<param>=value, e.g. gan.lr=1e-4");
                return;
            }
            set(root, path, value, loc);
            return;
        }
        SpecNode.MapNode paradigm = findParadigm(root, head, loc);
        if (paradigm == null) {
            List<String> prefixes = new ArrayList<>(SECTIONS);
            prefixes.addAll(paradigmNames(root));
            String rest = key.substring(head.length());
            errors.add(loc, "unknown override key '" + key + "'",
                    Suggestions.closest(head, prefixes).map(c -> "did you mean '" + c + rest + "'? ").orElse("")
                            + "overrides start with a section (" + String.join(", ", SECTIONS)
                            + ") or a paradigm name (" + String.join(", ", paradigmNames(root)) + ")");
            return;
        }
        if (parts.size() != 2) {
            errors.add(loc, "a paradigm override is <paradigm>.<param>=value", "e.g. " + head + ".lr=1e-4");
            return;
        }
        SpecNode params = paradigm.get("params");
        SpecNode.MapNode paramsMap;
        if (params instanceof SpecNode.MapNode m) {
            paramsMap = m;
        } else if (params == null || params instanceof SpecNode.Scalar s && s.isNull()) {
            paramsMap = new SpecNode.MapNode(loc);
            paradigm.put(new SpecNode.Entry("params", loc, paramsMap));
        } else {
            return; // the file's params value is malformed; validation reports it
        }
        paramsMap.put(new SpecNode.Entry(parts.get(1), loc, value));
    }

    private void set(SpecNode.MapNode root, List<String> path, SpecNode value, SourceLoc loc) {
        SpecNode.MapNode map = root;
        for (int i = 0; i < path.size() - 1; i++) {
            SpecNode.Entry e = map.entry(path.get(i));
            if (e == null || e.value() instanceof SpecNode.Scalar s && s.isNull()) {
                SpecNode.MapNode created = new SpecNode.MapNode(loc);
                map.put(new SpecNode.Entry(path.get(i), loc, created));
                map = created;
            } else if (e.value() instanceof SpecNode.MapNode m) {
                map = m;
            } else if (i == 0 && path.get(0).equals("dataset") && e.value() instanceof SpecNode.Scalar s) {
                // the shorthand dataset: ring8 becomes {name: ring8} so dataset.params.* can be set
                SpecNode.MapNode expanded = new SpecNode.MapNode(s.loc());
                expanded.put(new SpecNode.Entry("name", s.loc(), s));
                map.put(new SpecNode.Entry(e.key(), e.keyLoc(), expanded));
                map = expanded;
            } else {
                errors.add(loc, "cannot set " + String.join(".", path) + ": "
                        + String.join(".", path.subList(0, i + 1)) + " is a value, not a section", "");
                return;
            }
        }
        map.put(new SpecNode.Entry(path.get(path.size() - 1), loc, value));
    }

    /** Finds the paradigm entry named {@code name}, turning a shorthand {@code - gan} entry into a mapping. */
    private SpecNode.MapNode findParadigm(SpecNode.MapNode root, String name, SourceLoc loc) {
        if (!(root.get("paradigms") instanceof SpecNode.ListNode list)) {
            return null;
        }
        for (int i = 0; i < list.items().size(); i++) {
            SpecNode item = list.items().get(i);
            if (item instanceof SpecNode.MapNode m && name.equals(paradigmName(m))) {
                return m;
            }
            if (item instanceof SpecNode.Scalar s && name.equals(s.text())) {
                SpecNode.MapNode m = new SpecNode.MapNode(s.loc());
                m.put(new SpecNode.Entry("plugin", s.loc(), s));
                list.items().set(i, m);
                return m;
            }
        }
        return null;
    }

    private static List<String> paradigmNames(SpecNode.MapNode root) {
        List<String> names = new ArrayList<>();
        if (root.get("paradigms") instanceof SpecNode.ListNode list) {
            for (SpecNode item : list.items()) {
                String n = item instanceof SpecNode.MapNode m ? paradigmName(m)
                        : item instanceof SpecNode.Scalar s ? s.text() : null;
                if (n != null && !names.contains(n)) {
                    names.add(n);
                }
            }
        }
        return names;
    }

    private static String paradigmName(SpecNode.MapNode m) {
        if (m.get("name") instanceof SpecNode.Scalar s && !s.isNull()) {
            return s.text();
        }
        return m.get("plugin") instanceof SpecNode.Scalar s && !s.isNull() ? s.text() : null;
    }
}
