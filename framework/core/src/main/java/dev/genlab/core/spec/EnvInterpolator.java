package dev.genlab.core.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${env:NAME}} and {@code ${env:NAME:-default}} in scalar values. As in a POSIX shell,
 * {@code :-} takes the default when the variable is unset or empty; {@code $${} writes a literal
 * {@code ${}. Other {@code ${...}} text is left alone. A value taken from a variable whose name looks
 * secret is remembered (see {@link Redactor}): {@link #secrets()}.
 */
final class EnvInterpolator {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String OPEN = "${env:";

    private final Function<String, String> env;
    private final YamlReader reader;
    private Redactor secrets = Redactor.NONE;

    EnvInterpolator(Function<String, String> env, YamlReader reader) {
        this.env = env;
        this.reader = reader;
    }

    /** Interpolates every scalar under {@code node}; a scalar with a problem becomes {@link SpecNode.Broken}. */
    SpecNode apply(SpecNode node, SpecErrors errors) {
        if (node instanceof SpecNode.MapNode map) {
            for (SpecNode.Entry e : new ArrayList<>(map.entries().values())) {
                map.put(new SpecNode.Entry(e.key(), e.keyLoc(), apply(e.value(), errors)));
            }
            return map;
        }
        if (node instanceof SpecNode.ListNode list) {
            List<SpecNode> items = list.items();
            items.replaceAll(item -> apply(item, errors));
            return list;
        }
        if (node instanceof SpecNode.Scalar s && s.value() instanceof String text && text.contains("${")) {
            String out = expand(text, s.loc(), errors);
            if (out == null) {
                return new SpecNode.Broken(s.loc());
            }
            return out.equals(text) ? s : reader.retype(s, out);
        }
        return node;
    }

    /** @return the secret values interpolated so far, to hide wherever the spec leaves the process */
    Redactor secrets() {
        return secrets;
    }

    /** @return the expanded text, or null after reporting an error */
    String expand(String text, SourceLoc loc, SpecErrors errors) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            if (text.startsWith("$${", i)) {
                out.append("${");
                i += 3;
                continue;
            }
            if (!text.startsWith(OPEN, i)) {
                out.append(text.charAt(i++));
                continue;
            }
            int close = text.indexOf('}', i);
            if (close < 0) {
                errors.add(loc, "unterminated " + OPEN + " in '" + text + "'", "close it with }: ${env:NAME}");
                return null;
            }
            String body = text.substring(i + OPEN.length(), close);
            int sep = body.indexOf(":-");
            String name = sep < 0 ? body : body.substring(0, sep);
            String fallback = sep < 0 ? null : body.substring(sep + 2);
            if (!NAME.matcher(name).matches()) {
                errors.add(loc, "invalid environment variable name '" + name + "' in '" + text + "'",
                        "write ${env:NAME} or ${env:NAME:-default}, NAME made of letters, digits and _");
                return null;
            }
            String value = env.apply(name);
            if (fallback != null && (value == null || value.isEmpty())) {
                value = fallback; // written in the spec itself: no secret
            } else if (value != null && Redactor.looksSecret(name)) {
                secrets = secrets.with(name, value);
            }
            if (value == null) {
                errors.add(loc, "environment variable " + name + " is not set",
                        "set it (export " + name + "=...) or give a default: ${env:" + name + ":-value}");
                return null;
            }
            out.append(value);
            i = close + 1;
        }
        return out.toString();
    }
}
