package dev.genlab.plugin.baseline;

import dev.genlab.api.GenlabApi;
import dev.genlab.api.Paradigm;
import dev.genlab.api.ParadigmProvider;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.ParamSchema;
import java.util.List;

/**
 * The {@code gaussian} paradigm: one multivariate normal N(μ, LLᵀ) with full covariance, fitted by
 * gradient descent on the exact negative log-likelihood, or in closed form from running moments
 * ({@code optimizer: moments}, the stable choice on images). It is the floor every generative model should
 * beat: it captures the data's mean and covariance and nothing else (a ring of modes becomes one blob).
 * Works on any data shape; images are flattened to vectors, so it has d + d(d+1)/2 parameters.
 */
public final class GaussianProvider implements ParadigmProvider {

    /** Largest flattened dimension accepted: beyond it the d×d factor and its inverse get too costly. */
    static final int MAX_DIM = 4096;

    @Override
    public String name() {
        return "gaussian";
    }

    @Override
    public String description() {
        return "baseline: one full-covariance Gaussian fitted by maximum likelihood";
    }

    @Override
    public ParamSchema parameters() {
        return ParamSchema.builder()
                .addDouble("lr", 0.05, 1e-5, 10, "learning rate")
                .addChoice("optimizer", "adam", List.of("adam", "sgd", "moments"),
                        "adam or sgd on the likelihood, or moments: the exact maximum-likelihood fit from the "
                                + "running mean and covariance of every example seen (lr unused; stable on images)")
                .addDouble("init_std", 1.0, 1e-3, 1e3, "initial standard deviation of every coordinate")
                .addDouble("min_std", 1e-3, 1e-6, 1.0,
                        "floor added to the Cholesky diagonal (moments: min_std² added to the covariance's "
                                + "diagonal), so constant coordinates cannot drive the likelihood to infinity")
                .build();
    }

    @Override
    public int apiVersion() {
        return GenlabApi.VERSION;
    }

    @Override
    public Paradigm create(ParadigmSetup setup) {
        int d = setup.shape().size();
        if (d > MAX_DIM) {
            throw new IllegalArgumentException("the gaussian baseline needs a d x d covariance factor; d = " + d
                    + " exceeds its limit of " + MAX_DIM + " (use a smaller image size)");
        }
        return new GaussianParadigm(setup);
    }
}
