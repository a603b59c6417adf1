package dev.genlab.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Optional;

/**
 * One trainable instance of a model family (a DDPM, a GAN, a VAE...), created by a
 * {@link ParadigmProvider} for one trial. The framework calls {@link #trainStep} for each minibatch,
 * then {@link #sample} for evaluation, then {@link #close}. Calls come from one thread.
 *
 * <p>Optional abilities are offered through {@link #capability}: {@link LikelihoodModel},
 * {@link LatentModel}, {@link ConditionalModel}.
 */
public interface Paradigm extends AutoCloseable {

    /**
     * Runs one optimisation step (which may update several networks, e.g. discriminator then generator).
     *
     * @param batch the minibatch; closed by the framework after this call
     * @return named losses of this step
     */
    StepResult trainStep(Batch batch);

    /**
     * Generates samples with the current weights.
     *
     * @param request how many samples and how
     * @return the samples, owned by the caller
     */
    Samples sample(SampleRequest request);

    /**
     * @return trainable parameter count per network, e.g. {@code {generator: 10k, discriminator: 9k}};
     *     the framework reports each and their total (memory comparisons between paradigms)
     */
    Map<String, Long> parameterCounts();

    /**
     * Writes the full training state (weights, optimiser state) so that {@link #load} resumes it.
     *
     * @param out destination, not closed by this method
     * @throws IOException on write failure
     */
    void save(OutputStream out) throws IOException;

    /**
     * Restores the state written by {@link #save}.
     *
     * @param in source, not closed by this method
     * @throws IOException on read failure or a malformed state
     */
    void load(InputStream in) throws IOException;

    /**
     * Offers an optional capability. The default returns {@code this} if it implements {@code type}.
     *
     * @param type a capability interface, e.g. {@code LikelihoodModel.class}
     * @param <T> the capability type
     * @return the capability, if this paradigm has it
     */
    default <T> Optional<T> capability(Class<T> type) {
        return type.isInstance(this) ? Optional.of(type.cast(this)) : Optional.empty();
    }

    /** Releases native memory; the paradigm is unusable afterwards. */
    @Override
    void close();
}
