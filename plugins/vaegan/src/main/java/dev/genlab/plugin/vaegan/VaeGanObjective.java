package dev.genlab.plugin.vaegan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import dev.genlab.nn.Adam;
import dev.genlab.nn.Scalars;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The VAE-GAN's losses and its training step: a discriminator update, then an encoder update, then a decoder
 * update, each from its own loss, backward pass and {@link Adam} (see the package documentation). Gradients
 * are taken on per-step views of one network's weights, so no gradient ever lands on another network.
 * Every Adam skips an update whose gradients are not all finite, so one overflow cannot poison the weights.
 */
final class VaeGanObjective {

    /** Log-variances are clipped to ±this, so exp() stays finite early in training. */
    static final float LOGVAR_LIMIT = 10f;

    private final VaeGanConfig config;
    private final Networks.Encoder encoder;
    private final Networks.Decoder decoder;
    private final Networks.Discriminator discriminator;
    final Adam adamEnc;
    final Adam adamDec;
    final Adam adamDis;

    VaeGanObjective(VaeGanConfig config, Networks.Encoder encoder, Networks.Decoder decoder,
            Networks.Discriminator discriminator) {
        this.config = config;
        this.encoder = encoder;
        this.decoder = decoder;
        this.discriminator = discriminator;
        adamEnc = new Adam(encoder.params, options(config.lr()));
        adamDec = new Adam(decoder.params, options(config.lr()));
        adamDis = new Adam(discriminator.params, options(config.lrD()));
    }

    private Adam.Options options(double lr) {
        return Adam.Options.lr(lr).betas(config.beta1(), config.beta2()).skipNonFinite(true);
    }

    /**
     * One step that updates only the chosen networks (all three in training; tests update one at a time to
     * check that each update lowers that network's own loss).
     *
     * @param s the step's scope: every weight and {@code x} are attached to it, so its temporaries die with it
     * @param x the batch
     * @return the step's losses and diagnostics
     */
    Map<String, Double> step(NDManager s, NDArray x, boolean updateD, boolean updateEnc, boolean updateDec) {
        Map<String, Double> out = new LinkedHashMap<>();
        long b = x.getShape().get(0);
        NDArray eps = s.randomNormal(new Shape(b, config.latentDim()));
        NDArray zPrior = s.randomNormal(new Shape(b, config.latentDim()));
        NDArray[] enc = encoder.params.stored();
        NDArray[] dec = decoder.params.stored();
        NDArray[] dis = discriminator.params.stored();

        // 1. Discriminator: real vs reconstructions vs prior samples (its inputs are constants here).
        NDArray xRec = decoder.forward(dec, reparameterise(encoder.forward(enc, x), eps));
        NDArray xPrior = decoder.forward(dec, zPrior);
        NDArray[] disViews = discriminator.params.views(s);
        NDArray[] d;
        try (GradientCollector gc = s.getEngine().newGradientCollector()) {
            d = discriminatorLoss(disViews, x, xRec, xPrior);
            gc.backward(d[0]);
        }
        if (updateD) {
            adamDis.step(gradients(disViews));
        }
        NDArray probs = Activation.sigmoid(d[1]);
        out.put("loss_d", (double) d[0].getFloat());
        out.put("d_real", (double) probs.get("0:" + b).mean().getFloat());
        out.put("d_fake", (double) probs.get(b + ":").mean().getFloat());

        // 2. Encoder: prior KL + feature reconstruction, through the (fixed) decoder and the updated D.
        NDArray realFeatures = discriminator.forward(dis, x).features();
        NDArray[] encViews = encoder.params.views(s);
        NDArray[] e;
        try (GradientCollector gc = s.getEngine().newGradientCollector()) {
            e = encoderLoss(encViews, dec, dis, x, eps, realFeatures);
            gc.backward(e[0]);
        }
        if (updateEnc) {
            adamEnc.step(gradients(encViews));
        }
        out.put("loss_enc", (double) e[0].getFloat());
        out.put("kl", (double) e[1].getFloat());
        out.put("recon_feat", (double) e[2].getFloat());

        // 3. Decoder: γ · feature reconstruction + non-saturating GAN loss, codes from the updated encoder.
        NDArray z = reparameterise(encoder.forward(enc, x), eps);
        NDArray[] decViews = decoder.params.views(s);
        NDArray lossDec;
        try (GradientCollector gc = s.getEngine().newGradientCollector()) {
            lossDec = decoderLoss(decViews, dis, z, zPrior, realFeatures);
            gc.backward(lossDec);
        }
        if (updateDec) {
            adamDec.step(gradients(decViews));
        }
        out.put("loss_dec", (double) lossDec.getFloat());
        long skipped = adamEnc.skipped() + adamDec.skipped() + adamDis.skipped();
        if (skipped > 0) {
            out.put("skipped_updates", (double) skipped);
        }
        return out;
    }

    /**
     * The three losses at the current weights, without training.
     *
     * @param x a batch, attached with the weights to an open scope
     * @param eps the reparameterisation noise [B, L]
     * @param zPrior prior codes [B, L]
     * @return loss_d, loss_enc and loss_dec
     */
    Map<String, Double> losses(NDArray x, NDArray eps, NDArray zPrior) {
        NDArray[] enc = encoder.params.stored();
        NDArray[] dec = decoder.params.stored();
        NDArray[] dis = discriminator.params.stored();
        NDArray z = reparameterise(encoder.forward(enc, x), eps);
        NDArray realFeatures = discriminator.forward(dis, x).features();
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("loss_d", (double) discriminatorLoss(dis, x, decoder.forward(dec, z), decoder.forward(dec, zPrior))[0]
                .getFloat());
        out.put("loss_enc", (double) encoderLoss(enc, dec, dis, x, eps, realFeatures)[0].getFloat());
        out.put("loss_dec", (double) decoderLoss(dec, dis, z, zPrior, realFeatures).getFloat());
        return out;
    }

    /** @return {loss_d, logits of [x; x_rec; x_prior]} */
    private NDArray[] discriminatorLoss(NDArray[] dis, NDArray x, NDArray xRec, NDArray xPrior) {
        long b = x.getShape().get(0);
        NDArray logits = discriminator.forward(dis, NDArrays.concat(new NDList(x, xRec, xPrior), 0)).logits();
        NDArray real = logits.get("0:" + b);
        NDArray fake = logits.get(b + ":");
        // The paper sums the two fake terms; the mean over both, times 2, is that sum.
        NDArray loss = softplus(real.neg()).mean().add(softplus(fake).mean().mul(Scalars.of(x, 2)));
        return new NDArray[] {loss, logits};
    }

    /** @return {loss_enc, kl, recon_feat} */
    private NDArray[] encoderLoss(NDArray[] enc, NDArray[] dec, NDArray[] dis, NDArray x, NDArray eps,
            NDArray realFeatures) {
        NDArray[] q = encoder.forward(enc, x);
        NDArray mu = q[0];
        NDArray logvar = q[1].clip(-LOGVAR_LIMIT, LOGVAR_LIMIT);
        NDArray kl = mu.square().add(logvar.exp()).sub(1f).sub(logvar).sum(new int[] {1}).mean()
                .mul(Scalars.of(x, 0.5));
        NDArray rec = decoder.forward(dec, reparameterise(new NDArray[] {mu, logvar}, eps));
        NDArray recon = featureLoss(realFeatures, discriminator.forward(dis, rec).features());
        return new NDArray[] {kl.mul(Scalars.of(x, config.klWeight())).add(recon), kl, recon};
    }

    /** @return loss_dec = γ · recon_feat(x_rec) + softplus(−o(x_rec)) + softplus(−o(x_prior)) */
    private NDArray decoderLoss(NDArray[] dec, NDArray[] dis, NDArray z, NDArray zPrior, NDArray realFeatures) {
        long b = z.getShape().get(0);
        NDArray rec = decoder.forward(dec, z);
        NDArray prior = decoder.forward(dec, zPrior);
        Networks.Discriminator.Out o = discriminator.forward(dis, NDArrays.concat(new NDList(rec, prior), 0));
        NDArray gan = softplus(o.logits().neg()).mean().mul(Scalars.of(z, 2));
        return featureLoss(realFeatures, o.features().get("0:" + b)).mul(Scalars.of(z, config.gamma())).add(gan);
    }

    /** z = μ + σ·ε. */
    private static NDArray reparameterise(NDArray[] q, NDArray eps) {
        NDArray logvar = q[1].clip(-LOGVAR_LIMIT, LOGVAR_LIMIT);
        return q[0].add(logvar.mul(Scalars.of(eps, 0.5)).exp().mul(eps));
    }

    /** ½ Σ_k (f_k − g_k)², batch mean: the negative Gaussian log-likelihood of D's features, up to a constant. */
    private static NDArray featureLoss(NDArray target, NDArray features) {
        return target.sub(features).square().sum(new int[] {1}).mean().mul(Scalars.of(target, 0.5));
    }

    /** log(1 + eˣ), computed as relu(x) + log(1 + e^−|x|) so that it never overflows. */
    private static NDArray softplus(NDArray x) {
        return Activation.relu(x).add(x.abs().neg().exp().add(1f).log());
    }

    private static NDArray[] gradients(NDArray[] views) {
        NDArray[] grads = new NDArray[views.length];
        for (int i = 0; i < views.length; i++) {
            grads[i] = views[i].getGradient();
        }
        return grads;
    }
}
