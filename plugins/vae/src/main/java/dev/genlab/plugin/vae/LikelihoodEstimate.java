package dev.genlab.plugin.vae;

/**
 * Lower bounds on log p(x) of a set of examples, averaged over the examples, in nats per example. Both
 * come from the same K posterior draws per example: with log wₖ = log p(x, zₖ) − log q(zₖ|x), the ELBO
 * estimate is meanₖ log wₖ and the IWAE bound (Burda et al. 2016) is log meanₖ wₖ, so by Jensen's
 * inequality {@code elbo <= iwae} holds exactly, not only in expectation.
 *
 * @param elbo mean ELBO estimate, nats per example
 * @param iwae mean IWAE bound with {@code k} samples, nats per example
 * @param k importance samples per example
 * @param dims data dimensions per example (D)
 * @param examples number of examples averaged
 */
public record LikelihoodEstimate(double elbo, double iwae, int k, int dims, int examples) {

    /** @return −iwae / D: an upper bound on the NLL in nats per dimension */
    public double nllNatsPerDim() {
        return -iwae / dims;
    }

    /** @return the same bound in bits per dimension */
    public double bitsPerDim() {
        return nllNatsPerDim() / Math.log(2);
    }

    /** @return −elbo / D, the looser bound, in nats per dimension */
    public double elboNatsPerDim() {
        return -elbo / dims;
    }
}
