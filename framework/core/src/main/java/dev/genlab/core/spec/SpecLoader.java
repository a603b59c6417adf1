package dev.genlab.core.spec;

import dev.genlab.core.plugin.PluginRegistry;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Loads an experiment spec: reads the YAML file with a safe loader, composes the files it
 * {@code extends:}, applies command-line overrides, interpolates {@code ${env:NAME}}, then validates
 * everything against the framework's schema and each plugin's {@link dev.genlab.api.ParamSchema},
 * filling in defaults. All problems are reported together in one {@link SpecException}, each with file,
 * line, column and a fix. Values of secret-looking variables are recorded in the spec's
 * {@link ExperimentSpec#secrets()} (see {@link Redactor}). See {@code docs/spec-reference.md}.
 */
public final class SpecLoader {

    private static final Logger LOG = LogManager.getLogger(SpecLoader.class);

    private final PluginRegistry registry;
    private final Function<String, String> env;
    private final SpecWriter writer = new SpecWriter();

    /**
     * The production constructor: environment variables come from the process.
     *
     * @param registry installed paradigms, datasets and metrics
     */
    @Inject
    public SpecLoader(PluginRegistry registry) {
        this(registry, System::getenv);
    }

    /**
     * @param registry installed paradigms, datasets and metrics
     * @param env environment lookup for {@code ${env:NAME}}; returns null for an unset variable
     */
    public SpecLoader(PluginRegistry registry, Function<String, String> env) {
        this.registry = registry;
        this.env = env;
    }

    /**
     * Loads a spec without overrides.
     *
     * @param file the spec file
     * @return the validated spec
     * @throws SpecException with every problem found
     */
    public ExperimentSpec load(Path file) throws SpecException {
        return load(file, List.of());
    }

    /**
     * Loads a spec.
     *
     * @param file the spec file
     * @param overrides dotted {@code key=value} overrides applied after {@code extends:}, in order
     * @return the validated spec, with defaults filled in
     * @throws SpecException with every problem found
     */
    public ExperimentSpec load(Path file, List<String> overrides) throws SpecException {
        SpecErrors errors = new SpecErrors();
        YamlReader reader = new YamlReader();
        EnvInterpolator interpolator = new EnvInterpolator(env, reader);
        SpecNode.MapNode root = compose(file, null, new ArrayList<>(), reader, interpolator, errors);
        if (root == null || errors.hasFatal()) {
            hideSecrets(interpolator.secrets(), errors);
            errors.throwIfAny();
        }
        new Overrides(reader, errors).apply(root, overrides);
        interpolator.apply(root, errors);
        Redactor secrets = interpolator.secrets();
        hideSecrets(secrets, errors);
        ExperimentSpec spec = new SpecValidator(registry, errors).validate(root, file).withSecrets(secrets);
        errors.throwIfAny();
        LOG.debug("loaded spec {} from {} with {} override(s){}", secrets.redact(spec.name()), file, overrides.size(),
                secrets.isEmpty() ? "" : "; secret variable(s) " + secrets.names() + " are hidden in its records");
        return spec;
    }

    /**
     * Secrets are known once interpolated: from then on, errors quoting values hide them, and so does
     * everything this process prints (see {@link Redactor#processWide()}).
     */
    private static void hideSecrets(Redactor secrets, SpecErrors errors) {
        Redactor.addProcessWide(secrets);
        errors.redactWith(secrets);
    }

    /**
     * @param spec a loaded spec
     * @return the fully resolved spec as YAML (the {@code spec.yaml} run artifact), secret values hidden
     */
    public String resolvedYaml(ExperimentSpec spec) {
        return writer.toYaml(spec);
    }

    /**
     * Reads a file and the files it extends, depth first; bases merge in order, the file itself last.
     *
     * @param chain absolute paths of the files currently being composed, for cycle detection
     */
    private SpecNode.MapNode compose(Path file, SourceLoc referrer, List<Path> chain, YamlReader reader,
            EnvInterpolator interpolator, SpecErrors errors) {
        Path key = file.toAbsolutePath().normalize();
        if (chain.contains(key)) {
            List<Path> cycle = new ArrayList<>(chain.subList(chain.indexOf(key), chain.size()));
            cycle.add(key);
            errors.fatal(referrer.error("extends cycle: " + cycle.stream().map(p -> String.valueOf(p.getFileName()))
                    .collect(Collectors.joining(" -> ")), "remove one of these extends: entries"));
            return null;
        }
        SpecNode node = reader.readFile(file, referrer, errors);
        if (node == null) {
            return null;
        }
        if (!(node instanceof SpecNode.MapNode map)) {
            errors.fatal(node.loc().error("a spec must be a mapping of keys (name:, dataset:, paradigms:, ...), got "
                    + node.describe(), "start the file with name: <experiment name>"));
            return null;
        }
        SpecNode.Entry ext = map.remove("extends");
        if (ext == null) {
            return map;
        }
        chain.add(key);
        SpecNode.MapNode merged = null;
        for (SpecNode.Scalar base : baseNames(ext, errors)) {
            String name = interpolator.expand(base.text(), base.loc(), errors);
            if (name == null) {
                continue;
            }
            SpecNode.MapNode b = compose(file.resolveSibling(name).normalize(), base.loc(), chain, reader,
                    interpolator, errors);
            if (b != null) {
                merged = merged == null ? b : merge(merged, b);
            }
        }
        chain.remove(chain.size() - 1);
        return merged == null ? map : merge(merged, map);
    }

    private static List<SpecNode.Scalar> baseNames(SpecNode.Entry ext, SpecErrors errors) {
        List<SpecNode.Scalar> names = new ArrayList<>();
        SpecNode v = ext.value();
        List<SpecNode> items = v instanceof SpecNode.ListNode l ? l.items() : List.of(v);
        for (SpecNode item : items) {
            if (item instanceof SpecNode.Scalar s && !s.isNull() && !s.text().isBlank()) {
                names.add(s);
            } else if (!(item instanceof SpecNode.Broken)) {
                errors.add(item.loc(), "extends: expected a file name or a list of file names, got "
                        + item.describe(), "write extends: base.yaml (relative to this file)");
            }
        }
        return names;
    }

    /** Deep merge: mappings merge key by key, anything else (values, lists) in {@code child} replaces. */
    static SpecNode.MapNode merge(SpecNode.MapNode base, SpecNode.MapNode child) {
        SpecNode.MapNode out = new SpecNode.MapNode(child.loc());
        base.entries().values().forEach(out::put);
        for (SpecNode.Entry e : child.entries().values()) {
            SpecNode.Entry b = out.entry(e.key());
            if (b != null && b.value() instanceof SpecNode.MapNode bm && e.value() instanceof SpecNode.MapNode cm) {
                out.put(new SpecNode.Entry(e.key(), e.keyLoc(), merge(bm, cm)));
            } else {
                out.put(e);
            }
        }
        return out;
    }
}
