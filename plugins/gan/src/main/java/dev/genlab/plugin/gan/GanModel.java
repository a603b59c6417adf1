package dev.genlab.plugin.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.genlab.nn.Adam;
import dev.genlab.nn.Checkpoint;
import dev.genlab.nn.Ema;
import dev.genlab.nn.Parameters;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of one GAN: both networks in one {@link Parameters} set (scopes {@code generator} and
 * {@code discriminator}, with the batch-norm running statistics and spectral-norm vectors as buffers), one
 * {@link Adam} per network, the generator-step count, and the checkpoint layout that saves and restores all
 * of it ({@code gan}, layout 1). With {@code ema_decay} > 0 the set also holds the generator's weight average
 * (buffers of scope {@code generator_ema}, named like the generator's weights), which sampling uses.
 */
final class GanModel implements AutoCloseable {

    /** Owns weights, buffers and optimiser state; closing it frees the model. */
    private final NDManager manager;
    final GanConfig config;
    final Parameters params;
    final Generator generator;
    final Discriminator discriminator;
    final Adam adamG;
    final Adam adamD;
    /** The average of the generator's weights that sampling uses, or null ({@code ema_decay} 0). */
    final Ema ema;
    /** Generator updates so far (anneals the instance noise). */
    long steps;
    private final Checkpoint checkpoint;

    /** @param parent the trial's manager; the model lives on a sub-manager of it */
    GanModel(NDManager parent, GanConfig config) {
        this.manager = parent.newSubManager();
        this.config = config;
        this.params = new Parameters(manager);
        // Created in this order (generator, then discriminator with its power-iteration vectors), the
        // trial seed fixes every initial value.
        this.generator = new Generator(params.scope("generator"), config);
        this.discriminator = new Discriminator(params.scope("discriminator"), config, config.packedDims());
        this.adamG = new Adam(generator.weights, options(config.lrG()));
        this.adamD = new Adam(discriminator.weights, options(config.lrD()));
        this.ema = config.emaDecay() > 0 ? new Ema(generator.weights, params.scope("generator_ema")) : null;
        this.checkpoint = new Checkpoint("gan", 1).part("", params).part("adam_g", adamG).part("adam_d", adamD)
                .longValue("steps", () -> steps, value -> steps = value);
    }

    private Adam.Options options(float lr) {
        return Adam.Options.lr(lr).betas(config.beta1(), config.beta2());
    }

    /**
     * Opens a scope for one phase of work ({@link Parameters#open}): every long-lived array, including the
     * Adam moments that an unrolled trajectory starts from, is moved into it while it is open, so everything
     * the phase creates from them is freed when it closes.
     *
     * @param extra further arrays used in the phase (null entries are ignored)
     */
    NDManager open(NDArray... extra) {
        List<NDArray> all = new ArrayList<>(Arrays.asList(extra));
        for (Adam adam : List.of(adamG, adamD)) {
            Adam.State s = adam.start();
            all.addAll(Arrays.asList(s.first()));
            all.addAll(Arrays.asList(s.second()));
        }
        return params.open(all.toArray(new NDArray[0]));
    }

    /** @return the generator weights to sample with: the average if there is one, else the trained ones */
    NDArray[] samplingWeights() {
        return ema != null ? ema.averages() : generator.weights.stored();
    }

    /** @return trainable scalars per network */
    Map<String, Long> parameterCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("generator", generator.weights.count());
        counts.put("discriminator", discriminator.weights.count());
        return counts;
    }

    /** Writes weights, buffers, both optimisers and the step count. */
    void save(OutputStream out) throws IOException {
        checkpoint.write(out);
    }

    /** Reads what {@link #save} wrote; on any mismatch nothing is changed. */
    void load(InputStream in) throws IOException {
        checkpoint.read(in);
    }

    @Override
    public void close() {
        manager.close();
    }
}
