package dev.genlab.plugin.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.genlab.api.Batch;
import dev.genlab.api.ConditionalModel;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One GAN. Each {@link #trainStep} runs {@code n_critic} discriminator updates, each on the whole real
 * batch with fresh z (and fresh interpolation weights for the gradient penalty), then one generator update.
 * Generated samples are conditioned on the real batch's labels when the GAN is conditional. Reported per
 * step: {@code loss_d} (including the penalty), {@code loss_g}, {@code d_real} and {@code d_fake} (mean
 * D output on real and generated inputs: the probability σ(o) for minimax/non_saturating, the raw score
 * otherwise), and {@code gp} (wgan_gp only); the discriminator values are means over the step's critic
 * updates, measured before each update.
 *
 * <p>Unrolled GAN (Metz et al. 2017): for the generator update, the discriminator is advanced K Adam
 * steps (from its current weights and moments, on the same real batch and z) and the generator loss is
 * taken against the unrolled copy, which is then discarded. With {@code unroll_through: true} the
 * generator's gradient flows through all K updates (the paper's full gradient, including how D would
 * react to G's change); with {@code false} the unrolled weights are constants (the cheaper surrogate).
 */
final class GanParadigm implements Paradigm, ConditionalModel {

    private static final Logger LOG = LogManager.getLogger(GanParadigm.class);
    private static final int MAGIC = 0x47414E31; // "GAN1": gan state, format 1
    /** Samples generated per forward pass when sampling, to bound activation memory. */
    private static final int SAMPLE_CHUNK = 1000;

    private final NDManager trialManager;
    /** Owns weights, buffers and optimiser state; closing it frees the model. */
    private final NDManager manager;
    private final GanConfig config;
    final Generator generator;
    final Discriminator discriminator;
    private final Adam adamG;
    private final Adam adamD;
    private long steps;

    GanParadigm(ParadigmSetup setup, GanConfig config) {
        this.trialManager = setup.manager();
        this.manager = setup.manager().newSubManager();
        this.config = config;
        this.generator = new Generator(manager, config);
        this.discriminator = new Discriminator(manager, config, config.packedDims());
        this.adamG = new Adam(manager, generator.weights.stored(), config.lrG(), config.beta1(), config.beta2());
        this.adamD = new Adam(manager, discriminator.weights.stored(), config.lrD(), config.beta1(), config.beta2());
        LOG.debug("gan {}: {} generator and {} discriminator parameters", config.objective().key(),
                generator.weights.count(), discriminator.weights.count());
    }

    /** Every long-lived array, in save order. */
    private List<NDArray> state() {
        List<NDArray> all = new ArrayList<>();
        all.addAll(Arrays.asList(generator.weights.stored()));
        all.addAll(Arrays.asList(generator.running));
        all.addAll(Arrays.asList(discriminator.weights.stored()));
        all.addAll(Arrays.asList(discriminator.u));
        all.addAll(Arrays.asList(adamG.first));
        all.addAll(Arrays.asList(adamG.second));
        all.addAll(Arrays.asList(adamD.first));
        all.addAll(Arrays.asList(adamD.second));
        return all;
    }

    /**
     * A scope for one phase of work. Every operation's result lands in its first operand's manager, so the
     * long-lived arrays (and the given ones) are moved into the scope while it is open: everything the
     * phase creates is then freed when it closes, and the moved arrays go back where they came from.
     */
    NDManager scope(NDArray... extra) {
        NDManager scope = manager.newSubManager();
        for (NDArray a : state()) {
            a.tempAttach(scope);
        }
        for (NDArray a : extra) {
            if (a != null) {
                a.tempAttach(scope);
            }
        }
        return scope;
    }

    @Override
    public StepResult trainStep(Batch batch) {
        int b = batch.size();
        int m = config.pack();
        int n = b / m * m;
        if (n / m < 2) {
            throw new IllegalArgumentException("a batch of " + b + " gives " + (n / m) + " discriminator input(s) with "
                    + "pack " + m + "; at least 2 are needed: raise train.batch_size to " + (2 * m) + " or more");
        }
        NDArray labels = config.conditional() ? batch.labelsIfPresent().orElseThrow(
                () -> new IllegalArgumentException("conditional GAN got a batch without labels")) : null;
        float noise = config.noiseAt(steps);
        double lossD = 0;
        double dReal = 0;
        double dFake = 0;
        double gp = 0;
        for (int i = 0; i < config.nCritic(); i++) {
            try (NDManager s = scope(batch.data(), labels)) {
                float[] r = discriminatorStep(s, real(batch.data(), n), onehot(labels, n), noise);
                lossD += r[0];
                dReal += r[1];
                dFake += r[2];
                gp += r[3];
            }
        }
        double lossG;
        try (NDManager s = scope(batch.data(), labels)) {
            lossG = generatorStep(s, real(batch.data(), n), onehot(labels, n), noise);
        }
        steps++;
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

    private static NDArray real(NDArray data, int n) {
        return data.getShape().get(0) == n ? data : data.get("0:" + n);
    }

    private NDArray onehot(NDArray labels, int n) {
        if (labels == null) {
            return null;
        }
        NDArray used = labels.getShape().get(0) == n ? labels : labels.get("0:" + n);
        return used.toType(DataType.INT64, false).oneHot(config.numClasses()).toType(DataType.FLOAT32, false);
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

    /** @return {loss_d, mean D(x), mean D(G(z)), gp} of one discriminator update */
    private float[] discriminatorStep(NDManager s, NDArray real, NDArray onehot, float noise) {
        if (config.spectralNorm()) {
            discriminator.powerIterate(config.snIterations());
        }
        long n = real.getShape().get(0);
        NDArray z = s.randomNormal(new Shape(n, config.latentDim()));
        NDArray fake = generator.forward(generator.weights.stored(), z, onehot, Generator.Mode.TRAIN);
        NDArray realIn = discriminatorInput(s, real, noise);
        NDArray fakeIn = discriminatorInput(s, fake, noise);
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
                loss = loss.add(penalty.mul(Num.of(penalty, config.gpWeight())));
            }
            collector.backward(loss);
        }
        adamD.update(discriminator.weights.stored(), gradients(w));
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

    private double generatorStep(NDManager s, NDArray real, NDArray onehot, float noise) {
        long n = real.getShape().get(0);
        NDArray z = s.randomNormal(new Shape(n, config.latentDim()));
        NDArray realIn = discriminatorInput(s, real, noise);
        NDArray[] dw = discriminator.weights.stored();
        boolean unroll = config.unrollSteps() > 0;
        if (unroll && !config.unrollThrough()) {
            NDArray fixedFake = generator.forward(generator.weights.stored(), z, onehot, Generator.Mode.TRAIN);
            dw = unrollSurrogate(realIn, discriminatorInput(s, fixedFake, noise), onehot);
        }
        NDArray[] gw = generator.weights.views(s);
        NDArray loss;
        try (GradientCollector collector = s.getEngine().newGradientCollector()) {
            loss = generatorObjective(s, gw, dw, z, realIn, onehot, noise, Generator.Mode.TRAIN_UPDATE);
            collector.backward(loss);
        }
        adamG.update(generator.weights.stored(), gradients(gw));
        return loss.getFloat();
    }

    /**
     * The generator's loss for weights {@code gw}: against {@code dw}, or, with {@code unroll_through},
     * against D unrolled from its current state on this very generated batch.
     */
    NDArray generatorObjective(NDManager s, NDArray[] gw, NDArray[] dw, NDArray z, NDArray realIn, NDArray onehot,
            float noise, Generator.Mode mode) {
        NDArray fake = generator.forward(gw, z, onehot, mode);
        NDArray fakeIn = discriminatorInput(s, fake, noise);
        NDArray[] d = config.unrollSteps() > 0 && config.unrollThrough() ? unrollThrough(realIn, fakeIn, onehot) : dw;
        Discriminator.Trace tf = discriminator.forward(d, fakeIn, onehot);
        if (config.featureMatching()) {
            // Salimans et al. 2016: ‖E f(x) − E f(G(z))‖² on D's last hidden features; real side constant.
            NDArray target = discriminator.forward(d, realIn, onehot).h.mean(new int[] {0}).stopGradient();
            return target.sub(tf.h.mean(new int[] {0})).square().sum();
        }
        return config.objective().generatorLoss(tf.logits);
    }

    /** K Adam steps of a detached copy of D with autograd; the result is constant for the generator. */
    NDArray[] unrollSurrogate(NDArray realIn, NDArray fakeIn, NDArray onehot) {
        Adam.State state = adamD.start(discriminator.weights.stored());
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
            state = adamD.step(new Adam.State(views, state.first(), state.second(), state.t()), gradients(views));
            state = new Adam.State(detach(state.params()), detach(state.first()), detach(state.second()), state.t());
        }
        return state.params();
    }

    /**
     * K Adam steps of D written as differentiable operations of the generated input: D's weight gradients
     * come from {@link Discriminator#backward}, so the generator loss on the result backpropagates through
     * every unrolled update.
     */
    NDArray[] unrollThrough(NDArray realIn, NDArray fakeIn, NDArray onehot) {
        Adam.State state = adamD.start(discriminator.weights.stored());
        for (int k = 0; k < config.unrollSteps(); k++) {
            Scores scores = new Scores(state.params(), realIn, fakeIn, onehot);
            NDArray[] g = config.objective().discriminatorLossGradient(scores.real, scores.fake,
                    config.labelSmoothing());
            state = adamD.step(state, scores.weightGradients(g[0], g[1]));
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

    @Override
    public Samples sample(SampleRequest request) {
        int n = request.n();
        int[] labels = null;
        if (config.conditional()) {
            labels = request.labelsIfPresent().orElseGet(() -> {
                int[] balanced = new int[n];
                for (int i = 0; i < n; i++) {
                    balanced[i] = i % config.numClasses();
                }
                return balanced;
            });
            for (int y : labels) {
                if (y < 0 || y >= config.numClasses()) {
                    throw new IllegalArgumentException("label " + y + " outside 0.." + (config.numClasses() - 1));
                }
            }
        }
        try (NDManager s = scope()) {
            NDList chunks = new NDList();
            for (int start = 0; start < n; start += SAMPLE_CHUNK) {
                int len = Math.min(SAMPLE_CHUNK, n - start);
                NDArray z = s.randomNormal(new Shape(len, config.latentDim()));
                NDArray onehot = null;
                if (labels != null) {
                    onehot = s.create(Arrays.copyOfRange(labels, start, start + len)).toType(DataType.INT64, false)
                            .oneHot(config.numClasses()).toType(DataType.FLOAT32, false);
                }
                chunks.add(generator.forward(generator.weights.stored(), z, onehot, Generator.Mode.EVAL));
            }
            NDArray x = chunks.size() == 1 ? chunks.head() : NDArrays.concat(chunks, 0);
            x.attach(trialManager); // the caller owns and closes the samples
            return new Samples(x, labels, 1);
        }
    }

    @Override
    public Map<String, Long> parameterCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("generator", generator.weights.count());
        counts.put("discriminator", discriminator.weights.count());
        return counts;
    }

    @Override
    public int numClasses() {
        return config.numClasses();
    }

    @Override
    public <T> Optional<T> capability(Class<T> type) {
        // Only a conditional GAN honours labels; an unconditional one on labelled data must not claim it.
        if (type == ConditionalModel.class && !config.conditional()) {
            return Optional.empty();
        }
        return Paradigm.super.capability(type);
    }

    /** @return the configuration, for tests */
    GanConfig config() {
        return config;
    }

    @Override
    public void save(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        List<NDArray> state = state();
        data.writeInt(MAGIC);
        data.writeInt(state.size());
        for (NDArray a : state) {
            long[] dims = a.getShape().getShape();
            data.writeInt(dims.length);
            for (long d : dims) {
                data.writeLong(d);
            }
        }
        for (NDArray a : state) {
            for (float v : a.toFloatArray()) {
                data.writeFloat(v);
            }
        }
        data.writeLong(adamG.steps());
        data.writeLong(adamD.steps());
        data.writeLong(steps);
        data.flush();
    }

    @Override
    public void load(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        if (data.readInt() != MAGIC) {
            throw new IOException("not a saved gan");
        }
        List<NDArray> state = state();
        int count = data.readInt();
        if (count != state.size()) {
            throw new IOException("saved gan has " + count + " state arrays, this one " + state.size()
                    + " (different networks or options)");
        }
        for (int i = 0; i < count; i++) {
            int rank = data.readInt();
            long[] dims = new long[rank];
            for (int j = 0; j < rank; j++) {
                dims[j] = data.readLong();
            }
            if (!new Shape(dims).equals(state.get(i).getShape())) {
                throw new IOException("saved gan's state array " + i + " has shape " + new Shape(dims) + ", this one "
                        + state.get(i).getShape() + " (different networks or options)");
            }
        }
        float[][] values = new float[count][];
        for (int i = 0; i < count; i++) {
            values[i] = new float[Math.toIntExact(state.get(i).size())];
            for (int j = 0; j < values[i].length; j++) {
                values[i][j] = data.readFloat();
            }
        }
        long tG = data.readLong();
        long tD = data.readLong();
        long savedSteps = data.readLong();
        // Only write once everything was read, so a truncated stream leaves the model untouched.
        // Copy into each tensor's own storage (set(NDIndex, NDArray)): set(float[]) re-points the tensor at a
        // Java-owned buffer instead, which made a resumed baseline run drift from the uninterrupted one.
        try (NDManager tmp = manager.newSubManager()) {
            for (int i = 0; i < count; i++) {
                state.get(i).set(new NDIndex("..."), tmp.create(values[i], state.get(i).getShape()));
            }
        }
        adamG.steps(tG);
        adamD.steps(tD);
        steps = savedSteps;
    }

    @Override
    public void close() {
        manager.close();
    }
}
