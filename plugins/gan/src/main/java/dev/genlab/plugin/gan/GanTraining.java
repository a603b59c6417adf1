package dev.genlab.plugin.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.genlab.api.Batch;
import dev.genlab.api.StepResult;
import dev.genlab.nn.Adam;
import dev.genlab.nn.Ema;
import dev.genlab.nn.Scalars;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The training objective of a {@link GanModel}. Each {@link #trainStep} runs {@code n_critic} discriminator
 * updates, each with fresh z (and fresh interpolation weights for the gradient penalty), then one generator
 * update. Which real rows each update uses is the {@link Plan}: by default the whole batch (cut to a multiple of
 * {@code pack}) for every update; with {@code packs_per_update} P, the first pack × P rows, and as many
 * generated samples, so D sees P packs per side (PacGAN's semantics); with {@code fresh_real_per_critic}, a
 * disjoint slice of the batch per critic update (WGAN-GP's reference draws a fresh real batch for each). Both
 * networks' learning rates follow {@code lr_decay}, and the generator's weight average ({@code ema_decay}) is
 * updated after each generator update. Generated samples are conditioned on the real rows' labels when the GAN
 * is conditional. Reported per step: {@code loss_d} (including the penalty), {@code loss_g}, {@code d_real}
 * and {@code d_fake} (mean D output on real and generated inputs: the probability σ(o) for
 * minimax/non_saturating, the raw score otherwise), and {@code gp} (wgan_gp only); the discriminator values
 * are means over the step's critic updates, measured before each update.
 *
 * <p>Unrolled GAN (Metz et al. 2017): for the generator update, the discriminator is advanced K Adam steps
 * ({@link Adam#step(Adam.State, NDArray[])}, from its current weights and moments, on the same real batch and z) and
 * the generator loss is taken against the unrolled copy, which is then discarded; with {@code simultaneous_updates},
 * "current" is D before this step's update, as in the authors' demo, whose first unrolled step is D's own update.
 * With {@code unroll_through: true} the generator's gradient flows through all K updates (including how D would react
 * to G's change); with {@code false} the unrolled weights are constants (the cheaper surrogate). The generator's loss
 * against the unrolled D is its usual one on the generated batch; {@code unroll_real_term} adds the real-data term of
 * Metz et al.'s f, which through the unrolled weights also depends on G.
 */
final class GanTraining {

    private final GanModel model;
    private final GanConfig config;
    private final Generator generator;
    private final Discriminator discriminator;

    GanTraining(GanModel model) {
        this.model = model;
        this.config = model.config;
        this.generator = model.generator;
        this.discriminator = model.discriminator;
    }

    /** Sees what each update feeds D, for tests; null in training. */
    interface Probe {
        /**
         * @param critic 0-based critic update of the step
         * @param realIn D's (packed) real input
         * @param fakeIn D's (packed) generated input
         */
        void discriminatorUpdate(int critic, NDArray realIn, NDArray fakeIn);

        /**
         * @param realIn D's (packed) real input in the generator's loss
         * @param fakeIn D's (packed) generated input in the generator's loss
         */
        void generatorUpdate(NDArray realIn, NDArray fakeIn);
    }

    /** For tests: called with every update's D inputs when set. */
    Probe probe;

    /**
     * Which rows of a batch each update uses: {@code slices} consecutive slices of {@code sliceSize} rows (one per
     * critic update with {@code fresh_real_per_critic}, else one, the whole batch), of which each update takes the
     * first {@code rows} = pack × packs.
     */
    record Plan(int slices, int sliceSize, int rows) {}

    /**
     * @param b the batch size
     * @return the rows each update uses
     * @throws IllegalArgumentException if the batch is too small, naming the train.batch_size to use
     */
    Plan plan(int b) {
        int m = config.pack();
        int slices = config.freshRealPerCritic() ? config.nCritic() : 1;
        int sliceSize = b / slices;
        int packs = config.packsPerUpdate() > 0 ? config.packsPerUpdate() : sliceSize / m;
        if (packs < 2 || m * packs > sliceSize) {
            int needed = slices * m * Math.max(2, config.packsPerUpdate());
            throw new IllegalArgumentException("a batch of " + b + " gives " + Math.min(packs, sliceSize / m)
                    + " discriminator input(s) per update with pack " + m
                    + (config.packsPerUpdate() > 0 ? ", packs_per_update " + config.packsPerUpdate() : "")
                    + (slices > 1 ? " and a fresh slice for each of " + slices + " critic updates" : "")
                    + "; at least " + Math.max(2, config.packsPerUpdate()) + " are needed: raise train.batch_size to "
                    + needed + " or more");
        }
        return new Plan(slices, sliceSize, m * packs);
    }

    StepResult trainStep(Batch batch) {
        Plan plan = plan(batch.size());
        NDArray labels = config.conditional() ? batch.labelsIfPresent().orElseThrow(
                () -> new IllegalArgumentException("conditional GAN got a batch without labels")) : null;
        float noise = config.noiseAt(model.steps);
        double rate = config.rateFactor(model.steps);
        model.adamG.setRateScale(rate);
        model.adamD.setRateScale(rate);
        double lossD = 0;
        double dReal = 0;
        double dFake = 0;
        double gp = 0;
        if (config.simultaneousUpdates()) {
            // PacGAN's (ALI's) loop: both gradients on the same batch and z, G's against D before D's update.
            try (NDManager s = model.open(batch.data(), labels)) {
                NDArray real = rows(batch.data(), 0, plan.rows());
                NDArray oh = onehot(rows(labels, 0, plan.rows()));
                NDArray z = s.randomNormal(new Shape(real.getShape().get(0), config.latentDim()));
                // D's weights and Adam moments before its update: G trains against them, and with unrolling
                // the unrolled steps start from them (the demo's first unrolled step is D's own update). The
                // phase's scope holds D's arrays while it is open, so these copies are freed with it.
                Adam.State before = copy(model.adamD.start());
                float[] r = discriminatorStep(s, 0, real, oh, noise, z);
                lossD = r[0];
                dReal = r[1];
                dFake = r[2];
                double g = generatorStep(s, real, oh, noise, z, before);
                return finish(lossD, g, dReal, dFake, gp);
            }
        }
        for (int i = 0; i < config.nCritic(); i++) {
            int start = (i % plan.slices()) * plan.sliceSize();
            try (NDManager s = model.open(batch.data(), labels)) {
                float[] r = discriminatorStep(s, i, rows(batch.data(), start, plan.rows()),
                        onehot(rows(labels, start, plan.rows())), noise, null);
                lossD += r[0];
                dReal += r[1];
                dFake += r[2];
                gp += r[3];
            }
        }
        double lossG;
        // The generator's loss needs real rows only for feature matching and unrolling: the last critic's slice.
        int start = (plan.slices() - 1) * plan.sliceSize();
        try (NDManager s = model.open(batch.data(), labels)) {
            lossG = generatorStep(s, rows(batch.data(), start, plan.rows()), onehot(rows(labels, start, plan.rows())),
                    noise, null, null);
        }
        return finish(lossD, lossG, dReal, dFake, gp);
    }

    /** Counts the step, updates the average and reports the losses (D's summed over its critic updates). */
    private StepResult finish(double lossD, double lossG, double dReal, double dFake, double gp) {
        model.steps++;
        if (model.ema != null) {
            model.ema.update(Ema.rampedDecay(config.emaDecay(), model.steps));
        }
        int k = config.nCritic();
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("loss_d", lossD / k);
        out.put("loss_g", lossG);
        out.put("d_real", dReal / k);
        out.put("d_fake", dFake / k);
        if (config.objective() == Objective.WGAN_GP) {
            out.put("gp", gp / k);
        }
        return new StepResult(out);
    }

    /** @return rows [start, start + n) of {@code x} (null stays null), {@code x} itself when that is all of it */
    private static NDArray rows(NDArray x, int start, int n) {
        if (x == null || (start == 0 && x.getShape().get(0) == n)) {
            return x;
        }
        return x.get(start + ":" + (start + n));
    }

    private NDArray onehot(NDArray labels) {
        if (labels == null) {
            return null;
        }
        return labels.toType(DataType.INT64, false).oneHot(config.numClasses()).toType(DataType.FLOAT32, false);
    }

    /** D's input: instance noise added, then m consecutive examples packed into one. */
    NDArray discriminatorInput(NDManager s, NDArray x, float noise) {
        NDArray noisy = noise > 0 ? x.add(s.randomNormal(x.getShape()).mul(noise)) : x;
        if (config.pack() == 1) {
            return noisy;
        }
        int[] dims = config.packedDims();
        long[] packed = new long[dims.length + 1];
        packed[0] = x.getShape().get(0) / config.pack();
        for (int i = 0; i < dims.length; i++) {
            packed[i + 1] = dims[i];
        }
        return noisy.reshape(new Shape(packed));
    }

    /**
     * @param z the latent codes, or null to draw fresh ones
     * @return {loss_d, mean D(x), mean D(G(z)), gp} of critic update {@code critic}
     */
    private float[] discriminatorStep(NDManager s, int critic, NDArray real, NDArray onehot, float noise, NDArray z) {
        if (config.spectralNorm()) {
            discriminator.powerIterate(config.snIterations());
        }
        long n = real.getShape().get(0);
        if (z == null) {
            z = s.randomNormal(new Shape(n, config.latentDim()));
        }
        NDArray fake = generator.forward(generator.weights.stored(), z, onehot, Generator.Mode.TRAIN);
        NDArray realIn = discriminatorInput(s, real, noise);
        NDArray fakeIn = discriminatorInput(s, fake, noise);
        if (probe != null) {
            probe.discriminatorUpdate(critic, realIn, fakeIn);
        }
        NDArray[] w = discriminator.weights.views(s);
        Objective objective = config.objective();
        NDArray loss;
        NDArray penalty = null;
        Scores scores;
        try (GradientCollector collector = s.getEngine().newGradientCollector()) {
            scores = new Scores(w, realIn, fakeIn, onehot);
            loss = objective.discriminatorLoss(scores.real, scores.fake, config.labelSmoothing());
            if (objective == Objective.WGAN_GP) {
                penalty = gradientPenalty(s, w, realIn, fakeIn, onehot);
                loss = loss.add(penalty.mul(Scalars.of(penalty, config.gpWeight())));
            }
            collector.backward(loss);
        }
        model.adamD.step(gradients(w));
        return new float[] {
            loss.getFloat(),
            objective.reported(scores.real).mean().getFloat(),
            objective.reported(scores.fake).mean().getFloat(),
            penalty == null ? 0f : penalty.getFloat()};
    }

    /**
     * The WGAN-GP penalty E[(‖∇ₓ̂ D(x̂)‖ − 1)²] at x̂ = εx + (1 − ε)G(z), ε ~ U(0, 1) per (packed) example,
     * unweighted. ∇ₓ̂ D comes from {@link Discriminator#backward}, so the penalty's own gradient with
     * respect to D's weights is ordinary first-order autograd.
     */
    NDArray gradientPenalty(NDManager s, NDArray[] w, NDArray realIn, NDArray fakeIn, NDArray onehot) {
        long n = realIn.getShape().get(0);
        long[] epsShape = new long[realIn.getShape().dimension()];
        Arrays.fill(epsShape, 1);
        epsShape[0] = n;
        NDArray eps = s.randomUniform(0f, 1f, new Shape(epsShape));
        NDArray mix = realIn.mul(eps).add(fakeIn.mul(eps.neg().add(1f)));
        return penaltyAt(w, mix, onehot);
    }

    /** E[(‖∇ₓ D(x)‖ − 1)²] over the rows of x; a 1e-12 inside the root keeps a zero gradient finite. */
    NDArray penaltyAt(NDArray[] w, NDArray x, NDArray onehot) {
        long n = x.getShape().get(0);
        Discriminator.Trace t = discriminator.forward(w, x, onehot);
        NDArray grad = discriminator.backward(t, t.logits.onesLike(), false).input();
        return grad.reshape(n, -1).square().sum(new int[] {1}).add(1e-12f).sqrt().sub(1f).square().mean();
    }

    /**
     * @param z the latent codes, or null to draw fresh ones
     * @param againstD D's weights and Adam moments to train against (and unroll from), or null for its current ones
     */
    private double generatorStep(NDManager s, NDArray real, NDArray onehot, float noise, NDArray z,
            Adam.State againstD) {
        long n = real.getShape().get(0);
        if (z == null) {
            z = s.randomNormal(new Shape(n, config.latentDim()));
        }
        NDArray realIn = discriminatorInput(s, real, noise);
        Adam.State d = againstD != null ? againstD : model.adamD.start();
        if (config.unrollSteps() > 0 && !config.unrollThrough()) {
            NDArray fixedFake = generator.forward(generator.weights.stored(), z, onehot, Generator.Mode.TRAIN);
            d = unrollSurrogate(d, realIn, discriminatorInput(s, fixedFake, noise), onehot);
        }
        NDArray[] gw = generator.weights.views(s);
        NDArray loss;
        try (GradientCollector collector = s.getEngine().newGradientCollector()) {
            loss = generatorObjective(s, gw, d, z, realIn, onehot, noise, Generator.Mode.TRAIN_UPDATE);
            collector.backward(loss);
        }
        model.adamG.step(gradients(gw));
        return loss.getFloat();
    }

    /**
     * The generator's loss for weights {@code gw}: against D's weights in {@code d0}, or, with
     * {@code unroll_through}, against D unrolled from state {@code d0} on this very generated batch. With
     * {@code unroll_real_term} the unrolled loss is L_G(D_K(G(z))) − R(D_K(x)), R the real part of L_D
     * ({@link Objective#realTerm}): for {@code minimax} exactly Metz et al.'s
     * f(θ_G, θ_D^K) = E log D_K(x) + E log(1 − D_K(G(z))), whose first term depends on θ_G through θ_D^K when the
     * gradient flows through the unrolled steps.
     */
    NDArray generatorObjective(NDManager s, NDArray[] gw, Adam.State d0, NDArray z, NDArray realIn, NDArray onehot,
            float noise, Generator.Mode mode) {
        NDArray fake = generator.forward(gw, z, onehot, mode);
        NDArray fakeIn = discriminatorInput(s, fake, noise);
        if (probe != null) {
            probe.generatorUpdate(realIn, fakeIn);
        }
        NDArray[] d = config.unrollSteps() > 0 && config.unrollThrough() ? unrollThrough(d0, realIn, fakeIn, onehot)
                : d0.params();
        Discriminator.Trace tf = discriminator.forward(d, fakeIn, onehot);
        if (config.featureMatching()) {
            // Salimans et al. 2016: ‖E f(x) − E f(G(z))‖² on D's last hidden features; real side constant.
            NDArray target = discriminator.forward(d, realIn, onehot).h.mean(new int[] {0}).stopGradient();
            return target.sub(tf.h.mean(new int[] {0})).square().sum();
        }
        NDArray loss = config.objective().generatorLoss(tf.logits);
        if (config.unrollSteps() > 0 && config.unrollRealTerm()) {
            NDArray real = discriminator.forward(d, realIn, onehot).logits;
            loss = loss.sub(config.objective().realTerm(real, config.labelSmoothing()));
        }
        return loss;
    }

    /**
     * K Adam steps of a detached copy of D from {@code from} with autograd.
     *
     * @return the unrolled state (weights and moments), constant for the generator
     */
    Adam.State unrollSurrogate(Adam.State from, NDArray realIn, NDArray fakeIn, NDArray onehot) {
        Adam.State state = from;
        for (int k = 0; k < config.unrollSteps(); k++) {
            NDArray[] views = new NDArray[state.params().length];
            for (int i = 0; i < views.length; i++) {
                views[i] = state.params()[i].stopGradient();
                views[i].setRequiresGradient(true);
            }
            try (GradientCollector collector = realIn.getManager().getEngine().newGradientCollector()) {
                Scores scores = new Scores(views, realIn, fakeIn, onehot);
                NDArray loss = config.objective().discriminatorLoss(scores.real, scores.fake, config.labelSmoothing());
                collector.backward(loss);
            }
            state = model.adamD.step(new Adam.State(views, state.first(), state.second(), state.t()), gradients(views));
            state = new Adam.State(detach(state.params()), detach(state.first()), detach(state.second()), state.t());
        }
        return state;
    }

    /**
     * K Adam steps of D from {@code from}, written as differentiable operations of the generated input: D's
     * weight gradients come from {@link Discriminator#backward}, so the generator loss on the result
     * backpropagates through every unrolled update.
     */
    NDArray[] unrollThrough(Adam.State from, NDArray realIn, NDArray fakeIn, NDArray onehot) {
        Adam.State state = from;
        for (int k = 0; k < config.unrollSteps(); k++) {
            Scores scores = new Scores(state.params(), realIn, fakeIn, onehot);
            NDArray[] g = config.objective().discriminatorLossGradient(scores.real, scores.fake,
                    config.labelSmoothing());
            state = model.adamD.step(state, scores.weightGradients(g[0], g[1]));
        }
        return state.params();
    }

    /**
     * D's outputs on a real and a generated batch of the same size: one forward pass over both when D
     * scores examples independently (fewer, larger operations), two when minibatch layers need each
     * batch's own statistics.
     */
    private final class Scores {
        final NDArray real;
        final NDArray fake;
        private final Discriminator.Trace joint;
        private final Discriminator.Trace realTrace;
        private final Discriminator.Trace fakeTrace;

        Scores(NDArray[] w, NDArray realIn, NDArray fakeIn, NDArray onehot) {
            if (discriminator.batchIndependent()) {
                long n = realIn.getShape().get(0);
                joint = discriminator.forward(w, realIn.concat(fakeIn, 0), onehot == null ? null : onehot.concat(onehot, 0));
                real = joint.logits.get("0:" + n);
                fake = joint.logits.get(n + ":");
                realTrace = null;
                fakeTrace = null;
            } else {
                joint = null;
                realTrace = discriminator.forward(w, realIn, onehot);
                fakeTrace = discriminator.forward(w, fakeIn, onehot);
                real = realTrace.logits;
                fake = fakeTrace.logits;
            }
        }

        /** @return ∂(Σ gReal·real + Σ gFake·fake)/∂w, as differentiable arrays (MLP discriminator) */
        NDArray[] weightGradients(NDArray gReal, NDArray gFake) {
            if (joint != null) {
                return discriminator.backward(joint, gReal.concat(gFake, 0), true).weights();
            }
            NDArray[] gr = discriminator.backward(realTrace, gReal, true).weights();
            NDArray[] gf = discriminator.backward(fakeTrace, gFake, true).weights();
            NDArray[] sum = new NDArray[gr.length];
            for (int i = 0; i < sum.length; i++) {
                sum[i] = gr[i].add(gf[i]);
            }
            return sum;
        }
    }

    /** @return a state whose arrays are copies, unaffected by later in-place updates of {@code state} */
    private static Adam.State copy(Adam.State state) {
        return new Adam.State(duplicate(state.params()), duplicate(state.first()), duplicate(state.second()),
                state.t());
    }

    private static NDArray[] duplicate(NDArray[] arrays) {
        return Arrays.stream(arrays).map(NDArray::duplicate).toArray(NDArray[]::new);
    }

    private static NDArray[] detach(NDArray[] arrays) {
        NDArray[] out = new NDArray[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            out[i] = arrays[i].stopGradient();
        }
        return out;
    }

    private static NDArray[] gradients(NDArray[] views) {
        NDArray[] grads = new NDArray[views.length];
        for (int i = 0; i < views.length; i++) {
            grads[i] = views[i].getGradient();
        }
        return grads;
    }
}
