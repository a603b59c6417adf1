package dev.genlab.plugin.vaegan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import dev.genlab.api.Batch;
import dev.genlab.api.DataShape;
import dev.genlab.api.LatentModel;
import dev.genlab.api.Paradigm;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.SampleRequest;
import dev.genlab.api.Samples;
import dev.genlab.api.StepResult;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One VAE-GAN trial: encoder, decoder and discriminator, each with its own Adam. See the package
 * documentation for the losses and the update order.
 */
final class VaeGanParadigm implements Paradigm, LatentModel {

    private static final int MAGIC = 0x56414547; // "VAEG"
    /** Log-variances are clipped to ±this, so exp() stays finite early in training. */
    private static final float LOGVAR_LIMIT = 10f;
    /** Rows per forward pass when sampling, encoding or decoding large sets. */
    private static final int EVAL_ROWS = 1000;

    private final VaeGanConfig config;
    private final DataShape shape;
    private final NDManager trialManager;
    private final NDManager manager;
    private final Networks.Encoder encoder;
    private final Networks.Decoder decoder;
    private final Networks.Discriminator discriminator;
    private final Adam adamEnc;
    private final Adam adamDec;
    private final Adam adamDis;
    private long steps;

    VaeGanParadigm(ParadigmSetup setup, VaeGanConfig config) {
        this.config = config;
        this.shape = setup.shape();
        this.trialManager = setup.manager();
        this.manager = setup.manager().newSubManager();
        encoder = new Networks.Encoder(manager, shape, config);
        decoder = new Networks.Decoder(manager, shape, config);
        discriminator = new Networks.Discriminator(manager, shape, config);
        adamEnc = new Adam(manager, encoder.net.stored(), config.lr(), config.beta1(), config.beta2());
        adamDec = new Adam(manager, decoder.net.stored(), config.lr(), config.beta1(), config.beta2());
        adamDis = new Adam(manager, discriminator.net.stored(), config.lrD(), config.beta1(), config.beta2());
    }

    // ---------------------------------------------------------------- training

    @Override
    public StepResult trainStep(Batch batch) {
        return trainStep(batch, true, true, true);
    }

    /**
     * One step that updates only the chosen networks (all three in training; tests update one at a time to
     * check that each update lowers that network's own loss).
     */
    StepResult trainStep(Batch batch, boolean updateD, boolean updateEnc, boolean updateDec) {
        steps++;
        Map<String, Double> out = new LinkedHashMap<>();
        try (NDManager s = manager.newSubManager()) {
            NDArray x = batch.data();
            x.tempAttach(s);
            attach(s, true); // every temporary of the step (optimiser ones too) then dies with s
            long b = batch.size();
            NDArray eps = s.randomNormal(new Shape(b, config.latentDim()));
            NDArray zPrior = s.randomNormal(new Shape(b, config.latentDim()));
            NDArray[] enc = encoder.net.stored();
            NDArray[] dec = decoder.net.stored();
            NDArray[] dis = discriminator.net.stored();

            // 1. Discriminator: real vs reconstructions vs prior samples (its inputs are constants here).
            NDArray xRec = decoder.forward(dec, reparameterise(encoder.forward(enc, x), eps));
            NDArray xPrior = decoder.forward(dec, zPrior);
            NDArray[] disViews = discriminator.net.views(s);
            NDArray[] d;
            try (GradientCollector gc = s.getEngine().newGradientCollector()) {
                d = discriminatorLoss(disViews, x, xRec, xPrior);
                gc.backward(d[0]);
            }
            if (updateD) {
                adamDis.update(dis, gradients(disViews));
            }
            NDArray probs = Activation.sigmoid(d[1]);
            out.put("loss_d", (double) d[0].getFloat());
            out.put("d_real", (double) probs.get("0:" + b).mean().getFloat());
            out.put("d_fake", (double) probs.get(b + ":").mean().getFloat());

            // 2. Encoder: prior KL + feature reconstruction, through the (fixed) decoder and the updated D.
            NDArray realFeatures = discriminator.forward(dis, x).features();
            NDArray[] encViews = encoder.net.views(s);
            NDArray[] e;
            try (GradientCollector gc = s.getEngine().newGradientCollector()) {
                e = encoderLoss(encViews, dec, dis, x, eps, realFeatures);
                gc.backward(e[0]);
            }
            if (updateEnc) {
                adamEnc.update(enc, gradients(encViews));
            }
            out.put("loss_enc", (double) e[0].getFloat());
            out.put("kl", (double) e[1].getFloat());
            out.put("recon_feat", (double) e[2].getFloat());

            // 3. Decoder: γ · feature reconstruction + non-saturating GAN loss, codes from the updated encoder.
            NDArray z = reparameterise(encoder.forward(enc, x), eps);
            NDArray[] decViews = decoder.net.views(s);
            NDArray lossDec;
            try (GradientCollector gc = s.getEngine().newGradientCollector()) {
                lossDec = decoderLoss(decViews, dis, z, zPrior, realFeatures);
                gc.backward(lossDec);
            }
            if (updateDec) {
                adamDec.update(dec, gradients(decViews));
            }
            out.put("loss_dec", (double) lossDec.getFloat());
            long skipped = adamEnc.skipped() + adamDec.skipped() + adamDis.skipped();
            if (skipped > 0) {
                out.put("skipped_updates", (double) skipped);
            }
        }
        return new StepResult(out);
    }

    /** @return {loss_d, logits of [x; x_rec; x_prior]} */
    private NDArray[] discriminatorLoss(NDArray[] dis, NDArray x, NDArray xRec, NDArray xPrior) {
        long b = x.getShape().get(0);
        NDArray logits = discriminator.forward(dis, NDArrays.concat(new NDList(x, xRec, xPrior), 0)).logits();
        NDArray real = logits.get("0:" + b);
        NDArray fake = logits.get(b + ":");
        // The paper sums the two fake terms; the mean over both, times 2, is that sum.
        NDArray loss = softplus(real.neg()).mean().add(softplus(fake).mean().mul(constant(x.getManager(), 2)));
        return new NDArray[] {loss, logits};
    }

    /** @return {loss_enc, kl, recon_feat} */
    private NDArray[] encoderLoss(NDArray[] enc, NDArray[] dec, NDArray[] dis, NDArray x, NDArray eps,
            NDArray realFeatures) {
        NDManager s = x.getManager();
        NDArray[] q = encoder.forward(enc, x);
        NDArray mu = q[0];
        NDArray logvar = q[1].clip(-LOGVAR_LIMIT, LOGVAR_LIMIT);
        NDArray kl = mu.square().add(logvar.exp()).sub(1f).sub(logvar).sum(new int[] {1}).mean()
                .mul(constant(s, 0.5));
        NDArray rec = decoder.forward(dec, reparameterise(new NDArray[] {mu, logvar}, eps));
        NDArray recon = featureLoss(s, realFeatures, discriminator.forward(dis, rec).features());
        return new NDArray[] {kl.mul(constant(s, config.klWeight())).add(recon), kl, recon};
    }

    /** @return loss_dec = γ · recon_feat(x_rec) + softplus(−o(x_rec)) + softplus(−o(x_prior)) */
    private NDArray decoderLoss(NDArray[] dec, NDArray[] dis, NDArray z, NDArray zPrior, NDArray realFeatures) {
        NDManager s = z.getManager();
        long b = z.getShape().get(0);
        NDArray rec = decoder.forward(dec, z);
        NDArray prior = decoder.forward(dec, zPrior);
        Networks.Discriminator.Out o = discriminator.forward(dis, NDArrays.concat(new NDList(rec, prior), 0));
        NDArray gan = softplus(o.logits().neg()).mean().mul(constant(s, 2));
        return featureLoss(s, realFeatures, o.features().get("0:" + b)).mul(constant(s, config.gamma())).add(gan);
    }

    /**
     * The three losses at the current weights, without training: for tests that compare a fixed batch with
     * fixed noise before and after training.
     *
     * @param x a batch
     * @param eps the reparameterisation noise [B, L]
     * @param zPrior prior codes [B, L]
     * @return loss_d, loss_enc and loss_dec
     */
    Map<String, Double> losses(NDArray x, NDArray eps, NDArray zPrior) {
        return withScratch(tmp -> {
            x.tempAttach(tmp);
            eps.tempAttach(tmp);
            zPrior.tempAttach(tmp);
            NDArray[] enc = encoder.net.stored();
            NDArray[] dec = decoder.net.stored();
            NDArray[] dis = discriminator.net.stored();
            NDArray z = reparameterise(encoder.forward(enc, x), eps);
            NDArray realFeatures = discriminator.forward(dis, x).features();
            Map<String, Double> out = new LinkedHashMap<>();
            out.put("loss_d", (double) discriminatorLoss(dis, x, decoder.forward(dec, z), decoder.forward(dec, zPrior))[0]
                    .getFloat());
            out.put("loss_enc", (double) encoderLoss(enc, dec, dis, x, eps, realFeatures)[0].getFloat());
            out.put("loss_dec", (double) decoderLoss(dec, dis, z, zPrior, realFeatures).getFloat());
            return out;
        });
    }

    /** z = μ + σ·ε. */
    private static NDArray reparameterise(NDArray[] q, NDArray eps) {
        NDArray logvar = q[1].clip(-LOGVAR_LIMIT, LOGVAR_LIMIT);
        return q[0].add(logvar.mul(constant(eps.getManager(), 0.5)).exp().mul(eps));
    }

    /** ½ Σ_k (f_k − g_k)², batch mean: the negative Gaussian log-likelihood of D's features, up to a constant. */
    private static NDArray featureLoss(NDManager s, NDArray target, NDArray features) {
        return target.sub(features).square().sum(new int[] {1}).mean().mul(constant(s, 0.5));
    }

    /** log(1 + eˣ), computed as relu(x) + log(1 + e^−|x|) so that it never overflows. */
    private static NDArray softplus(NDArray x) {
        return Activation.relu(x).add(x.abs().neg().exp().add(1f).log());
    }

    /**
     * A scalar made by the engine. A Java number operand in a recorded product would be wrapped without a
     * copy and could be freed before the backward pass reads it (DJL 0.36, PyTorch engine).
     */
    private static NDArray constant(NDManager m, double value) {
        return m.full(new Shape(), (float) value);
    }

    private static NDArray[] gradients(NDArray[] views) {
        NDArray[] grads = new NDArray[views.length];
        for (int i = 0; i < views.length; i++) {
            grads[i] = views[i].getGradient();
        }
        return grads;
    }

    private void attach(NDManager scope, boolean withOptimisers) {
        for (NDArray a : withOptimisers ? state() : weights()) {
            a.tempAttach(scope);
        }
    }

    private <T> T withScratch(Function<NDManager, T> fn) {
        try (NDManager tmp = manager.newSubManager()) {
            attach(tmp, false);
            return fn.apply(tmp);
        }
    }

    // ---------------------------------------------------------------- sampling and the latent space

    @Override
    public Samples sample(SampleRequest request) {
        NDArray x = withScratch(tmp -> {
            NDArray decoded = decodeRows(tmp.randomNormal(new Shape(request.n(), config.latentDim())));
            decoded.attach(trialManager); // the caller owns and closes the samples
            return decoded;
        });
        return new Samples(x, null, 1);
    }

    private NDArray decodeRows(NDArray z) {
        long n = z.getShape().get(0);
        NDList parts = new NDList();
        for (long from = 0; from < n; from += EVAL_ROWS) {
            parts.add(decoder.forward(decoder.net.stored(), z.get(from + ":" + Math.min(n, from + EVAL_ROWS))));
        }
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
    }

    @Override
    public int latentDim() {
        return config.latentDim();
    }

    @Override
    public NDArray encode(NDArray data) {
        NDManager owner = data.getManager();
        return withScratch(tmp -> {
            data.tempAttach(tmp);
            long n = data.getShape().get(0);
            NDList parts = new NDList();
            for (long from = 0; from < n; from += EVAL_ROWS) {
                NDArray rows = data.get(from + ":" + Math.min(n, from + EVAL_ROWS));
                parts.add(encoder.forward(encoder.net.stored(), rows)[0]);
            }
            NDArray mu = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
            mu.attach(owner);
            return mu;
        });
    }

    @Override
    public NDArray decode(NDArray latents) {
        NDManager owner = latents.getManager();
        return withScratch(tmp -> {
            latents.tempAttach(tmp);
            NDArray x = decodeRows(latents);
            x.attach(owner);
            return x;
        });
    }

    // ---------------------------------------------------------------- bookkeeping

    @Override
    public Map<String, Long> parameterCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("encoder", encoder.net.count());
        counts.put("decoder", decoder.net.count());
        counts.put("discriminator", discriminator.net.count());
        return counts;
    }

    @Override
    public void save(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(MAGIC);
        data.writeUTF(config.layout(shape));
        data.writeLong(steps);
        for (Adam a : List.of(adamEnc, adamDec, adamDis)) {
            data.writeLong(a.steps());
            data.writeLong(a.skipped());
        }
        for (NDArray a : state()) {
            float[] values = a.toFloatArray();
            ByteBuffer buf = ByteBuffer.allocate(values.length * Float.BYTES);
            buf.asFloatBuffer().put(values);
            data.write(buf.array());
        }
        data.flush();
    }

    @Override
    public void load(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        if (data.readInt() != MAGIC) {
            throw new IOException("not a saved vaegan");
        }
        String layout = data.readUTF();
        if (!layout.equals(config.layout(shape))) {
            throw new IOException("saved vaegan has layout [" + layout + "], this one [" + config.layout(shape) + "]");
        }
        long savedSteps = data.readLong();
        long[] adamCounts = new long[6];
        for (int i = 0; i < adamCounts.length; i++) {
            adamCounts[i] = data.readLong();
        }
        List<NDArray> state = state();
        List<float[]> values = new ArrayList<>();
        for (NDArray a : state) {
            byte[] bytes = new byte[Math.toIntExact(a.size()) * Float.BYTES];
            data.readFully(bytes);
            float[] v = new float[Math.toIntExact(a.size())];
            ByteBuffer.wrap(bytes).asFloatBuffer().get(v);
            values.add(v);
        }
        // Nothing changes until the whole state was read: a truncated stream leaves the model as it was.
        // Copy into each tensor's own storage (set(NDIndex, NDArray)): set(float[]) re-points the tensor at a
        // Java-owned buffer instead, which made a resumed baseline run drift from the uninterrupted one.
        try (NDManager tmp = manager.newSubManager()) {
            for (int i = 0; i < state.size(); i++) {
                state.get(i).set(new NDIndex("..."), tmp.create(values.get(i), state.get(i).getShape()));
            }
        }
        steps = savedSteps;
        adamEnc.restore(adamCounts[0], adamCounts[1]);
        adamDec.restore(adamCounts[2], adamCounts[3]);
        adamDis.restore(adamCounts[4], adamCounts[5]);
    }

    private List<NDArray> weights() {
        List<NDArray> all = new ArrayList<>(List.of(encoder.net.stored()));
        all.addAll(List.of(decoder.net.stored()));
        all.addAll(List.of(discriminator.net.stored()));
        return all;
    }

    /** Weights, then each optimiser's moments: the saved state, in a fixed order. */
    private List<NDArray> state() {
        List<NDArray> all = weights();
        all.addAll(adamEnc.state());
        all.addAll(adamDec.state());
        all.addAll(adamDis.state());
        return all;
    }

    @Override
    public void close() {
        manager.close();
    }
}
