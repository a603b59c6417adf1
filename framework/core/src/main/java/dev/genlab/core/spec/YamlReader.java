package dev.genlab.core.spec;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Turns YAML text into located {@link SpecNode}s with SnakeYAML's composer only: nothing is ever
 * constructed from a tag, so no type named in a file is instantiated (safe loading). Scalars get their
 * plain value (numbers, booleans) from SnakeYAML's own safe scalar constructors so YAML 1.1 number forms
 * ({@code 1_000}, {@code 0x1F}, {@code 1e-4}) mean what SnakeYAML says they mean.
 */
final class YamlReader {

    /** Bounds the expansion of aliases (a "billion laughs" document would otherwise explode). */
    private static final int MAX_NODES = 200_000;
    private static final int MAX_FILE_CODE_POINTS = 4 * 1024 * 1024;

    private final LoaderOptions options = new LoaderOptions();
    private final Resolver resolver = new Resolver();
    private final ScalarConstructor scalars;

    YamlReader() {
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(20);
        options.setAllowRecursiveKeys(false);
        options.setCodePointLimit(MAX_FILE_CODE_POINTS);
        options.setNestingDepthLimit(50);
        scalars = new ScalarConstructor(options);
    }

    /**
     * Reads one spec file. A missing file, bad encoding or bad YAML is a fatal error.
     *
     * @param file the file
     * @param referrer where the file was named ({@code extends:}), for a missing base; null for the root
     * @param errors collects problems
     * @return the root node (an empty mapping for an empty file), or null after a fatal error
     */
    SpecNode readFile(Path file, SourceLoc referrer, SpecErrors errors) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            SourceLoc at = referrer != null ? referrer : SourceLoc.ofFile(file);
            errors.fatal(at.error("cannot read spec file " + file + ": no such file",
                    referrer != null ? "extends: paths are relative to the file that names them"
                            : "check the path (relative to the current directory)"));
            return null;
        } catch (CharacterCodingException e) {
            errors.fatal(SourceLoc.ofFile(file).error("spec file is not valid UTF-8", "save it as UTF-8"));
            return null;
        } catch (IOException e) {
            SourceLoc at = referrer != null ? referrer : SourceLoc.ofFile(file);
            errors.fatal(at.error("cannot read spec file " + file + ": " + e, "check that it is a readable file"));
            return null;
        }
        Node root;
        try {
            root = new Yaml(new SafeConstructor(options)).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            errors.fatal(syntaxError(file, null, e));
            return null;
        } catch (YAMLException e) {
            errors.fatal(SourceLoc.ofFile(file).error("invalid YAML: " + e.getMessage(), ""));
            return null;
        }
        if (root == null) {
            return new SpecNode.MapNode(new SourceLoc(file, 1, 1, null));
        }
        return convert(root, file, null, errors);
    }

    /**
     * Parses the value half of a command-line override as a YAML scalar or flow collection.
     *
     * @param text the value text ({@code 1e-4}, {@code [0, 1]}, {@code hinge})
     * @param loc the override's location
     * @param errors collects problems
     * @return the node, or null after an error
     */
    SpecNode readValue(String text, SourceLoc loc, SpecErrors errors) {
        Node node;
        try {
            node = new Yaml(new SafeConstructor(options)).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            errors.add(loc, "cannot parse the value as YAML: " + e.getProblem(),
                    "quote it, e.g. key='\"text\"', or write lists as [a, b]");
            return null;
        } catch (YAMLException e) {
            errors.add(loc, "cannot parse the value as YAML: " + e.getMessage(), "");
            return null;
        }
        if (node == null) {
            return new SpecNode.Scalar(loc, "", Tag.NULL, null);
        }
        return convert(node, null, loc, errors);
    }

    /**
     * Re-types a scalar whose text changed through interpolation, as if the expanded text had been written
     * unquoted: {@code "${env:STEPS}"} that became {@code 500} is an integer. Quoting is often needed around
     * {@code ${...}} (inside flow mappings braces end a plain scalar), so the quotes cannot decide the type;
     * string-typed keys read the text either way.
     */
    SpecNode.Scalar retype(SpecNode.Scalar s, String newText) {
        Tag tag = resolver.resolve(NodeId.scalar, newText, true);
        if (Tag.TIMESTAMP.equals(tag) || Tag.MERGE.equals(tag)) {
            tag = Tag.STR;
        }
        return new SpecNode.Scalar(s.loc(), newText, tag,
                value(new ScalarNode(tag, newText, null, null, DumperOptions.ScalarStyle.PLAIN)));
    }

    private SpecError syntaxError(Path file, SourceLoc override, MarkedYAMLException e) {
        Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        String problem = e.getProblem() == null ? "malformed YAML" : e.getProblem();
        StringBuilder hint = new StringBuilder();
        if (problem.contains("\\t") || problem.contains("TAB")) {
            hint.append("indent with spaces; YAML does not allow tabs");
        } else if (problem.contains("tag")) {
            hint.append("specs hold plain values only (strings, numbers, booleans, lists, mappings); remove the tag");
        } else if (e.getContext() != null) {
            if (problem.contains("block end") || problem.contains("indentation")) {
                hint.append("check the indentation: the keys of one mapping start in the same column; ");
            }
            hint.append(e.getContext());
            Mark ctx = e.getContextMark();
            if (ctx != null && mark != null && ctx.getLine() != mark.getLine()) {
                hint.append(" started at line ").append(ctx.getLine() + 1).append(", column ")
                        .append(ctx.getColumn() + 1);
            }
        }
        SourceLoc at = override != null ? override : SourceLoc.at(file, mark);
        return at.error("invalid YAML: " + problem.trim(), hint.toString());
    }

    private SpecNode convert(Node root, Path file, SourceLoc override, SpecErrors errors) {
        return new Converter(file, override, errors).convert(root);
    }

    private Object value(ScalarNode node) {
        Tag tag = node.getTag();
        if (Tag.NULL.equals(tag)) {
            return null;
        }
        if (Tag.INT.equals(tag) || Tag.FLOAT.equals(tag) || Tag.BOOL.equals(tag)) {
            Object v = scalars.construct(node);
            if (v instanceof Integer i) {
                return i.longValue();
            }
            if (v instanceof BigInteger b && b.bitLength() < 64) {
                return b.longValue();
            }
            return v;
        }
        return node.getValue();
    }

    /** Exposes SnakeYAML's safe scalar constructors (int, float, bool) for one node. */
    private static final class ScalarConstructor extends SafeConstructor {
        ScalarConstructor(LoaderOptions options) {
            super(options);
        }

        Object construct(ScalarNode node) {
            return constructObject(node);
        }
    }

    /** One SnakeYAML tree to one located tree; copies aliased nodes so later edits stay local. */
    private final class Converter {
        private final Path file;
        private final SourceLoc override;
        private final SpecErrors errors;
        private final Set<Node> inProgress = Collections.newSetFromMap(new IdentityHashMap<>());
        private int nodes;
        private boolean tooBig;

        Converter(Path file, SourceLoc override, SpecErrors errors) {
            this.file = file;
            this.override = override;
            this.errors = errors;
        }

        private SourceLoc loc(Node n) {
            return override != null ? override : SourceLoc.at(file, n.getStartMark());
        }

        SpecNode convert(Node n) {
            if (++nodes > MAX_NODES) {
                if (!tooBig) {
                    tooBig = true;
                    errors.fatal(loc(n).error("the document expands to more than " + MAX_NODES
                            + " values through aliases", "remove the nested anchors (&) and aliases (*)"));
                }
                return new SpecNode.Broken(loc(n));
            }
            if (!inProgress.add(n)) {
                errors.add(loc(n), "recursive YAML alias", "an anchor cannot contain an alias to itself");
                return new SpecNode.Broken(loc(n));
            }
            try {
                return switch (n.getNodeId()) {
                    case scalar -> scalar((ScalarNode) n);
                    case sequence -> sequence((SequenceNode) n);
                    case mapping -> mapping((MappingNode) n);
                    default -> new SpecNode.Broken(loc(n));
                };
            } finally {
                inProgress.remove(n);
            }
        }

        private boolean badTag(Node n, Tag expected) {
            if (n.getTag().equals(expected)) {
                return false;
            }
            errors.add(loc(n), "unsupported YAML tag '" + n.getTag().getValue() + "'",
                    "specs hold plain values only (strings, numbers, booleans, lists, mappings); remove the tag");
            return true;
        }

        private SpecNode scalar(ScalarNode n) {
            Tag tag = n.getTag();
            if (Tag.TIMESTAMP.equals(tag)) {
                tag = Tag.STR; // a date-like value is only ever wanted as text (e.g. in a name)
            } else if (!(Tag.STR.equals(tag) || Tag.INT.equals(tag) || Tag.FLOAT.equals(tag)
                    || Tag.BOOL.equals(tag) || Tag.NULL.equals(tag))) {
                badTag(n, Tag.STR);
                return new SpecNode.Broken(loc(n));
            }
            ScalarNode typed = tag == n.getTag() ? n
                    : new ScalarNode(tag, n.getValue(), n.getStartMark(), n.getEndMark(), n.getScalarStyle());
            Object v;
            try {
                v = value(typed);
            } catch (YAMLException | NumberFormatException e) {
                errors.add(loc(n), "cannot read '" + n.getValue() + "' as " + tag.getValue(), "");
                return new SpecNode.Broken(loc(n));
            }
            return new SpecNode.Scalar(loc(n), n.getValue(), tag, v);
        }

        private SpecNode sequence(SequenceNode n) {
            if (badTag(n, Tag.SEQ)) {
                return new SpecNode.Broken(loc(n));
            }
            List<SpecNode> items = new ArrayList<>();
            for (Node item : n.getValue()) {
                items.add(convert(item));
            }
            return new SpecNode.ListNode(loc(n), items);
        }

        private SpecNode mapping(MappingNode n) {
            if (badTag(n, Tag.MAP)) {
                return new SpecNode.Broken(loc(n));
            }
            SpecNode.MapNode map = new SpecNode.MapNode(loc(n));
            Map<String, SpecNode.Entry> seen = map.entries();
            for (NodeTuple t : n.getValue()) {
                Node keyNode = t.getKeyNode();
                if (!(keyNode instanceof ScalarNode k)) {
                    errors.add(loc(keyNode), "mapping keys must be plain names", "write key: value");
                    continue;
                }
                if (Tag.MERGE.equals(k.getTag()) || "<<".equals(k.getValue())) {
                    errors.add(loc(k), "YAML merge keys (<<) are not supported",
                            "share settings with extends: base.yaml instead");
                    continue;
                }
                String key = k.getValue();
                SpecNode.Entry previous = seen.get(key);
                if (previous != null) {
                    errors.add(loc(k), "duplicate key '" + key + "'",
                            "it is already defined at " + previous.keyLoc().describe() + "; keep only one");
                }
                map.put(new SpecNode.Entry(key, loc(k), convert(t.getValueNode())));
            }
            return map;
        }
    }
}
