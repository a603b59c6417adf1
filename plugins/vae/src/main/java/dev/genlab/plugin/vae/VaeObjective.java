package dev.genlab.plugin.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.genlab.api.Batch;
import dev.genlab.api.StepResult;
import dev.genlab.nn.Adam;
import dev.genlab.nn.Checkpoint;
import dev.genlab.nn.Scalars;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The VAE's training objective and its optimiser. A step draws z = μ + e^{v/2}·ε (the reparameterisation
 * trick, so gradients reach the encoder) and minimises
 *
 * <pre>  loss = E_batch[−log p(x|z[,y])] + β_t · Σ_u max(λ, E_batch[KL_u])</pre>
 *
 * with β_t = β·min(1, t / warmup_steps) and free bits λ (the max is dropped when λ = 0); a conditional VAE
 * feeds the one-hot label to both networks. The update is genlab-nn's {@link Adam} over both networks, with
 * the global gradient norm clipped to {@code grad_clip} and an update whose gradients are not all finite
 * skipped whole (and counted), so one overflow cannot turn every weight into NaN.
 *
 * <p>Each step reports, in nats per example: {@code loss}; {@code recon} = −E log p(x|z); {@code kl} =
 * Σ_u KL_u (the true KL, without free bits); {@code elbo} = −(recon + kl), a lower bound on log p(x);
 * {@code beta} (the warmed-up weight, only with a warm-up); {@code grad_norm} (global gradient L2 norm before
 * clipping) and, once any update was skipped, {@code skipped_updates}. Every {@code diag_every} steps it also
 * measures, on the batch, {@code active_units} and {@code mi} (and {@code kl_dim_<u>} if asked); these are
 * repeated in every later step until refreshed, so that the logged history has them at every logging step.
 */
final class VaeObjective {

    private final VaeModel model;
    private final VaeConfig config;
    private final Adam adam;
    /** Latest batch diagnostics, repeated in every step result until refreshed. */
    private final Map<String, Double> carried = new LinkedHashMap<>();
    private long steps;

    VaeObjective(VaeModel model) {
        this.model = model;
        this.config = model.config();
        this.adam = new Adam(model.params(), Adam.Options.lr(config.lr()).clipNorm(config.gradClip())
                .skipNonFinite(true));
    }

    /** One optimisation step on a batch (labelled for a conditional model). */
    StepResult trainStep(Batch batch) {
        if (config.conditional() && batch.labels() == null) {
            throw new IllegalArgumentException("the conditional VAE needs labelled batches");
        }
        steps++;
        Map<String, Double> out = new LinkedHashMap<>();
        // Every model array and the batch move into `step` for the call, so all temporaries die with it.
        try (NDManager step = model.open(batch.data(), batch.labels())) {
            NDArray x = batch.data();
            model.observation().resolveRange(x);
            NDArray condition = model.condition(batch.labels());
            NDArray[][] w = model.views(step);
            double beta = config.betaAt(steps);
            VaeModel.Posterior q;
            NDArray z;
            NDArray recon;
            NDArray klPerDim;
            NDArray loss;
            try (GradientCollector collector = step.getEngine().newGradientCollector()) {
                q = model.encode(w[0], x, condition);
                z = q.draw();
                NDArray logPx = model.observation().logLikelihood(model.decode(w[1], z, condition), model.flat(x));
                recon = logPx.neg().mean();
                klPerDim = GaussianMath.klToStandardNormal(q.mu(), q.logvar()).mean(new int[] {0});
                NDArray klTerm = config.freeBits() > 0
                        ? klPerDim.maximum(Scalars.of(klPerDim, config.freeBits())).sum()
                        : klPerDim.sum();
                loss = recon.add(klTerm.mul(Scalars.of(klTerm, beta)));
                collector.backward(loss);
            }
            Adam.Update update = adam.step(gradients(w));
            double r = recon.getFloat();
            double kl = klPerDim.sum().getFloat();
            out.put("loss", (double) loss.getFloat());
            out.put("recon", r);
            out.put("kl", kl);
            out.put("elbo", -(r + kl));
            if (config.warmupSteps() > 0) {
                out.put("beta", beta);
            }
            // A non-finite norm would read as divergence to the framework; skipped updates are counted instead.
            if (update.applied()) {
                out.put("grad_norm", update.gradNorm());
            }
            if (adam.skipped() > 0) {
                out.put("skipped_updates", (double) adam.skipped());
            }
            if (config.diagEvery() > 0 && (steps == 1 || steps % config.diagEvery() == 0)) {
                batchDiagnostics(q, z);
            }
        }
        carried.forEach(out::putIfAbsent);
        return new StepResult(out);
    }

    /** @return the views' gradients, encoder's then decoder's: the optimiser's (creation) order */
    private static NDArray[] gradients(NDArray[][] views) {
        NDArray[] grads = new NDArray[views[0].length + views[1].length];
        int i = 0;
        for (NDArray[] network : views) {
            for (NDArray v : network) {
                grads[i++] = v.getGradient();
            }
        }
        return grads;
    }

    private void batchDiagnostics(VaeModel.Posterior q, NDArray z) {
        float[][] mu = Host.matrix(q.mu());
        float[][] logvar = Host.matrix(q.logvar());
        LatentDiagnostics d = new LatentDiagnostics(LatentStats.klPerDim(mu, logvar), LatentStats.meanVariance(mu),
                LatentStats.activeUnits(mu, config.activeThreshold()),
                LatentStats.mutualInformation(mu, logvar, Host.matrix(z)), mu.length, mu.length);
        Map<String, Double> m = d.toMap(config.logKlPerDim());
        m.remove("kl"); // the step's own kl is already reported
        carried.putAll(m);
    }

    /**
     * Registers the optimiser's state, the step count and the carried batch diagnostics (NaN while there are
     * none yet), so that a resumed run reports exactly what the uninterrupted one does.
     */
    void addTo(Checkpoint checkpoint) {
        checkpoint.part("adam", adam).longValue("steps", () -> steps, v -> steps = v);
        List<String> names = new ArrayList<>(List.of("active_units", "mi"));
        if (config.logKlPerDim()) {
            for (int u = 0; u < config.latentDim(); u++) {
                names.add("kl_dim_" + u);
            }
        }
        for (String name : names) {
            checkpoint.doubleValue("diag." + name, () -> carried.getOrDefault(name, Double.NaN), v -> {
                if (Double.isNaN(v)) {
                    carried.remove(name);
                } else {
                    carried.put(name, v);
                }
            });
        }
    }
}
