package dev.genlab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The named arrays of a model: trainable parameters and saved buffers (running statistics, power-iteration
 * vectors, EMA weights), in creation order, on one manager.
 *
 * <p>A {@link #scope(String) scope} is a view that prefixes names ({@code generator.fc1.weight}) and sees only
 * its own entries; each network of a paradigm is one scope, and its optimiser and layers work on that scope.
 * Layers refer to their parameters by index within the scope they were created in ({@link #add} returns it),
 * so one forward pass can run on the {@link #stored() stored} arrays or on {@link #views fresh differentiable
 * views} of them alike.
 *
 * <p>Two ways to differentiate, pick one per network:
 * <ul>
 *   <li><b>views</b> (recommended): the stored arrays never require gradients; each step differentiates
 *       {@link #views} and hands their gradients to {@link Adam#step(NDArray[])}. Gradients never accumulate
 *       across steps, and a network whose views are not taken costs no gradients (a GAN's D during G's step).</li>
 *   <li><b>stored</b>: {@link #requireGradients()} marks the stored arrays (as DJL blocks do); {@link Adam#step()}
 *       reads and then zeroes their gradients.</li>
 * </ul>
 * The whole set is one {@link Checkpoint.Part}: every parameter and buffer is saved under its full name.
 */
public final class Parameters implements Checkpoint.Part {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]+(\\.[A-Za-z0-9_]+)*");

    private record Entry(String name, NDArray array, boolean trainable) {}

    /** The entries shared by a set and all its scopes. */
    private static final class Registry {
        final Map<String, Entry> entries = new LinkedHashMap<>();
    }

    private final NDManager manager;
    private final Registry registry;
    private final String prefix;

    /** @param manager owner of every array created or adopted (closing it frees the model) */
    public Parameters(NDManager manager) {
        this(manager, new Registry(), "");
    }

    private Parameters(NDManager manager, Registry registry, String prefix) {
        this.manager = Objects.requireNonNull(manager, "manager");
        this.registry = registry;
        this.prefix = prefix;
    }

    /**
     * @param name one name segment, e.g. {@code generator}
     * @return the view of this set whose entries are named {@code <this prefix><name>.…}
     */
    public Parameters scope(String name) {
        return new Parameters(manager, registry, fullName(name) + ".");
    }

    /** @return the manager that owns the arrays */
    public NDManager manager() {
        return manager;
    }

    /** @return this scope's prefix, empty for the root */
    public String prefix() {
        return prefix;
    }

    private String fullName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("parameter name '" + name + "' must be dot-separated [A-Za-z0-9_] words");
        }
        return prefix + name;
    }

    private int register(String name, NDArray array, boolean trainable) {
        String full = fullName(name);
        if (registry.entries.containsKey(full)) {
            throw new IllegalArgumentException("parameter '" + full + "' is defined twice");
        }
        array.attach(manager);
        registry.entries.put(full, new Entry(full, array, trainable));
        return trainable ? names().indexOf(full) : -1;
    }

    /**
     * Creates a trainable parameter.
     *
     * @return its index among this scope's {@link #stored()} arrays
     */
    public int add(String name, Shape shape, Init init) {
        return register(name, init.create(manager, shape), true);
    }

    /**
     * Adopts an existing array as a trainable parameter (it moves to this set's manager).
     *
     * @return its index among this scope's {@link #stored()} arrays
     */
    public int add(String name, NDArray array) {
        return register(name, array, true);
    }

    /**
     * Adds a saved, non-trainable array (running statistics, a power-iteration vector, EMA weights).
     *
     * @return the array
     */
    public NDArray buffer(String name, NDArray initial) {
        register(name, initial, false);
        return initial;
    }

    /**
     * Adopts an initialised DJL {@link Block}'s parameters as trainable entries named
     * {@code <name>.<block's parameter path>}, so an {@link Adam} over this scope and the checkpoint cover them.
     * The block keeps using its own arrays; they already require gradients, so train it the "stored" way.
     *
     * @return the block
     */
    public <B extends Block> B adopt(String name, B block) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (!p.getValue().isInitialized()) {
                throw new IllegalStateException("initialise block '" + name + "' before adopting it");
            }
            register(name + "." + p.getKey().replaceAll("[^A-Za-z0-9_]+", "_"), p.getValue().getArray(), true);
        }
        return block;
    }

    private List<Entry> mine() {
        List<Entry> out = new ArrayList<>();
        for (Entry e : registry.entries.values()) {
            if (e.name().startsWith(prefix)) {
                out.add(e);
            }
        }
        return out;
    }

    /** @return the trainable arrays of this scope, in creation order (the optimiser's order) */
    public NDArray[] stored() {
        return mine().stream().filter(Entry::trainable).map(Entry::array).toArray(NDArray[]::new);
    }

    /** @return the full names of this scope's trainable arrays, in {@link #stored()} order */
    public List<String> names() {
        return mine().stream().filter(Entry::trainable).map(Entry::name).toList();
    }

    /** @return this scope's buffers, in creation order */
    public List<NDArray> buffers() {
        return mine().stream().filter(e -> !e.trainable()).map(Entry::array).toList();
    }

    /**
     * @param name a name relative to this scope
     * @return the parameter or buffer
     */
    public NDArray get(String name) {
        Entry e = registry.entries.get(prefix + name);
        if (e == null) {
            throw new IllegalArgumentException("no parameter '" + prefix + name + "'; have " + registry.entries.keySet());
        }
        return e.array();
    }

    /**
     * @param scope where the views live (closed after the step)
     * @return detached views sharing the stored data, each requiring a gradient, in {@link #stored()} order
     */
    public NDArray[] views(NDManager scope) {
        NDArray[] stored = stored();
        NDArray[] out = new NDArray[stored.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = stored[i].stopGradient();
            out[i].attach(scope);
            out[i].setRequiresGradient(true);
        }
        return out;
    }

    /** Marks the stored trainable arrays as requiring gradients (the "stored" way to train). */
    public void requireGradients() {
        for (NDArray a : stored()) {
            a.setRequiresGradient(true);
        }
    }

    /** @return the number of trainable scalars in this scope */
    public long count() {
        long total = 0;
        for (NDArray a : stored()) {
            total += a.size();
        }
        return total;
    }

    /**
     * Opens a scope for one phase of work. An operation's result lands in its first operand's manager, so every
     * array of the set (and the given ones) is moved into the new manager while it is open: everything the phase
     * creates is freed when it closes, and the moved arrays go back where they came from.
     *
     * @param extra further long-lived arrays used in the phase (null entries are ignored)
     * @return the open manager; close it to free the phase's temporaries
     */
    public NDManager open(NDArray... extra) {
        NDManager scope = manager.newSubManager();
        for (Entry e : registry.entries.values()) {
            e.array().tempAttach(scope);
        }
        for (NDArray a : extra) {
            if (a != null) {
                a.tempAttach(scope);
            }
        }
        return scope;
    }

    @Override
    public void addTo(Checkpoint checkpoint, String name) {
        for (Entry e : mine()) {
            checkpoint.tensor(name + e.name().substring(prefix.length()), e.array());
        }
    }
}
