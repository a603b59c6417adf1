package dev.genlab.core.spec;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
import org.yaml.snakeyaml.composer.Composer;
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
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.ReaderException;
import org.yaml.snakeyaml.reader.StreamReader;
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
    /** UTF-8 takes at most 4 bytes per code point: a longer file is over {@link #MAX_FILE_CODE_POINTS}. */
    private static final int MAX_FILE_BYTES = 4 * MAX_FILE_CODE_POINTS + 4;
    private static final int MAX_LINE = 1 << 20;
    private static final int MAX_NESTING = 50;
    private static final int MAX_COLLECTION_ALIASES = 20;

    private final LoaderOptions options = new LoaderOptions();
    private final Resolver resolver = new Resolver();
    private final ScalarConstructor scalars;

    YamlReader() {
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(MAX_COLLECTION_ALIASES);
        options.setAllowRecursiveKeys(false);
        options.setCodePointLimit(MAX_FILE_CODE_POINTS);
        options.setNestingDepthLimit(MAX_NESTING);
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
        String text = readText(file, referrer, errors);
        if (text == null) {
            return null;
        }
        SpecError tooLong = checkLength(file, text);
        if (tooLong != null) {
            errors.fatal(tooLong);
            return null;
        }
        StreamReader stream = new StreamReader(text);
        Node root;
        try {
            root = new Composer(new ParserImpl(stream, options), resolver, options).getSingleNode();
        } catch (MarkedYAMLException e) {
            errors.fatal(syntaxError(file, null, e));
            return null;
        } catch (YAMLException e) {
            errors.fatal(limitError(e, text, SourceLoc.at(file, stream.getMark()), file));
            return null;
        }
        if (root == null) {
            return new SpecNode.MapNode(new SourceLoc(file, 1, 1, null));
        }
        return convert(root, file, null, errors);
    }

    /**
     * Reads a spec file's text, at most {@link #MAX_FILE_BYTES}: a longer file is certainly over the
     * code-point limit, which {@link #checkLength} then reports where it is crossed; reading on would only
     * cost memory.
     *
     * @return the text, or null after a fatal error
     */
    private static String readText(Path file, SourceLoc referrer, SpecErrors errors) {
        SourceLoc at = referrer != null ? referrer : SourceLoc.ofFile(file); // no position in a file not read
        byte[] bytes;
        try {
            if (Files.exists(file) && !Files.isRegularFile(file)) {
                errors.fatal(at.error("cannot read spec file " + file + ": it is not a regular file",
                        "name a YAML file"));
                return null;
            }
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(MAX_FILE_BYTES + 1);
            }
        } catch (NoSuchFileException e) {
            errors.fatal(at.error("cannot read spec file " + file + ": no such file",
                    referrer != null ? "extends: paths are relative to the file that names them"
                            : "check the path (relative to the current directory)"));
            return null;
        } catch (IOException e) {
            errors.fatal(at.error("cannot read spec file " + file + ": " + e, "check that it is a readable file"));
            return null;
        }
        boolean whole = bytes.length <= MAX_FILE_BYTES;
        int length = Math.min(bytes.length, MAX_FILE_BYTES);
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, length);
        CharBuffer out = CharBuffer.allocate(length); // UTF-8 never has more chars than bytes
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        // Not at the end of a cut file: a character split by the cut is left out, not an encoding error.
        CoderResult result = decoder.decode(in, out, whole);
        if (!result.isError() && whole) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            errors.fatal(byteLoc(file, bytes, in.position()).error("spec file is not valid UTF-8 (byte 0x"
                    + String.format("%02x", bytes[in.position()] & 0xff) + " at offset " + in.position() + ")",
                    "save it as UTF-8; if it is not a text file, check the path"));
            return null;
        }
        return out.flip().toString();
    }

    /**
     * Checks the text's size before SnakeYAML sees it: its own code-point limit is only checked between
     * tokens, and it reads a long token (a comment, a scalar) in time quadratic in the token's length, so one
     * line of a few megabytes would take minutes to refuse.
     *
     * @return the error at the first character over a limit, or null
     */
    private static SpecError checkLength(Path file, String text) {
        int line = 1;
        int column = 1;
        int codePoints = 0;
        for (int i = 0; i < text.length(); i += Character.charCount(text.codePointAt(i))) {
            if (++codePoints > MAX_FILE_CODE_POINTS) {
                return new SourceLoc(file, line, column, null).error("invalid YAML: the file is longer than "
                        + MAX_FILE_CODE_POINTS + " characters", "a spec is a short text file; check the path");
            }
            if (text.charAt(i) == '\n') {
                line++;
                column = 1;
            } else if (++column > MAX_LINE) {
                return new SourceLoc(file, line, column, null).error("invalid YAML: line " + line
                        + " is longer than " + MAX_LINE + " characters", "break it into several lines (block style)");
            }
        }
        return null;
    }

    /** The line and column of a byte offset in UTF-8 text, counting characters, not bytes, in the line. */
    private static SourceLoc byteLoc(Path file, byte[] bytes, int offset) {
        int line = 1;
        int column = 1;
        for (int i = 0; i < offset; i++) {
            if (bytes[i] == '\n') {
                line++;
                column = 1;
            } else if ((bytes[i] & 0xC0) != 0x80) { // continuation bytes belong to the previous character
                column++;
            }
        }
        return new SourceLoc(file, line, column, null);
    }

    /** The line and column of a code point index in a text. */
    private static SourceLoc codePointLoc(Path file, String text, int index) {
        int line = 1;
        int column = 1;
        int i = 0;
        for (int cp = 0; cp < index && i < text.length(); cp++) {
            if (text.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
            i += Character.charCount(text.codePointAt(i));
        }
        return new SourceLoc(file, line, column, null);
    }

    /**
     * An error SnakeYAML reports without a position: a limit of {@link #YamlReader()} crossed, or a
     * character YAML does not allow. It is located where the reader stopped (or at the character).
     */
    private SpecError limitError(YAMLException e, String text, SourceLoc at, Path file) {
        String problem = String.valueOf(e.getMessage());
        if (e instanceof ReaderException r) {
            return (file == null ? at : codePointLoc(file, text, r.getPosition())).error(
                    "invalid YAML: character U+" + String.format("%04X", r.getCodePoint())
                            + " is not allowed in YAML text",
                    "remove it; control characters and binary data cannot be in a spec (is this the right file?)");
        }
        if (problem.startsWith("Nesting Depth")) {
            return at.error("invalid YAML: values nest more than " + MAX_NESTING + " levels deep",
                    "a spec needs a few levels; flatten the structure");
        }
        if (problem.contains("aliases")) {
            return at.error("invalid YAML: more than " + MAX_COLLECTION_ALIASES
                    + " aliases (*name) of lists or mappings", "remove the anchors (&) and aliases (*)");
        }
        return at.error("invalid YAML: " + problem, "");
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
        StreamReader stream = new StreamReader(text);
        try {
            node = new Composer(new ParserImpl(stream, options), resolver, options).getSingleNode();
        } catch (MarkedYAMLException e) {
            errors.add(loc, "cannot parse the value as YAML: " + e.getProblem(),
                    "quote it, e.g. key='\"text\"', or write lists as [a, b]");
            return null;
        } catch (YAMLException e) {
            errors.add(limitError(e, text, loc, null));
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
                    errors.fatal(loc(n).error("the document holds more than " + MAX_NODES
                            + " values (an alias counts as a copy of its anchor's value)",
                            "a spec needs far fewer: remove nested anchors (&) and aliases (*), shorten long lists"));
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
