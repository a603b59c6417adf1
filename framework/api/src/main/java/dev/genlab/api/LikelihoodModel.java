package dev.genlab.api;

/** Capability of paradigms that can bound or compute the data likelihood. */
public interface LikelihoodModel {

    /**
     * @param batch held-out examples
     * @return an upper bound on (or the value of) the negative log-likelihood, in nats per dimension,
     *     averaged over the batch
     */
    double nllNatsPerDim(Batch batch);
}
