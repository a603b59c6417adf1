/**
 * The GAN paradigm plugin {@code gan} ({@link dev.genlab.plugin.gan.GanProvider}). It depends on genlab-api
 * and the DJL API, like any third-party plugin, and on genlab-nn for its parameters, Adam, convolutions and
 * checkpoint format. {@link dev.genlab.plugin.gan.GanModel} holds the networks and their state,
 * {@link dev.genlab.plugin.gan.GanTraining} the training objective, and
 * {@link dev.genlab.plugin.gan.GanParadigm} samples and offers the capabilities.
 *
 * <h2>Objectives</h2>
 * On discriminator outputs o_r (real) and o_f (generated), batch means, s = one-sided label smoothing,
 * softplus(o) = log(1 + eᵒ):
 * <pre>
 * minimax         L_D = (1−s)·softplus(−o_r) + s·softplus(o_r) + softplus(o_f)   L_G = −softplus(o_f)
 * non_saturating  L_D as minimax                                               L_G = softplus(−o_f)
 * wgan_gp         L_D = o_f − o_r + λ·E[(‖∇D(x̂)‖ − 1)²]                         L_G = −o_f
 * hinge           L_D = relu(1 − o_r) + relu(1 + o_f)                          L_G = −o_f
 * lsgan           L_D = ½(o_r − (1−s))² + ½·o_f²                               L_G = ½(o_f − 1)²
 * </pre>
 *
 * <h2>Second-order gradients without the engine's create-graph backward</h2>
 * WGAN-GP needs ∂/∂θ of a function of ∂D/∂x, and backpropagating through unrolled discriminator updates
 * needs ∂/∂θ_G of functions of ∂D/∂θ_D. DJL's {@code GradientCollector} has no create-graph switch; the
 * PyTorch engine's {@code JniUtils.backward(y, grad, keepGraph, createGraph)} has one and gives correct
 * values (the tests use it, through reflection, as an independent reference). It is not used for
 * training because it leaks: PyTorch's backward with {@code create_graph=True} stores in every weight's
 * {@code .grad} a graph that refers back to the weight, a reference cycle that only setting
 * {@code .grad = None} breaks, and DJL 0.36 exposes no way to do that ({@code JniUtils.zeroGrad} zeroes
 * the tensor in place and keeps its graph). Measured on a 2→128→128→1 critic at batch 256: resident
 * memory grew by about 1 MB per step (195 MB → 3.2 GB in 3,000 steps). Instead, the discriminator's
 * vector-Jacobian products are written out as ordinary array operations
 * ({@link dev.genlab.plugin.gan.Discriminator}): transposed matrix products and LeakyReLU slopes for the
 * MLP, transposed convolutions for the conv net, and the closed-form derivatives of spectral
 * normalisation, minibatch standard deviation, minibatch discrimination and the projection term. Their
 * outputs are differentiable, so first-order autograd gives the exact second-order terms, on any engine,
 * with memory flat across steps. Tests check the written-out products against autograd and the penalty's
 * weight gradient against the engine's create-graph backward.
 *
 * <h2>Unrolled GAN</h2>
 * With {@code unroll_steps: K}, each generator update is taken against a copy of D advanced K Adam steps
 * (same real batch and z, starting from D's current weights and moments). With {@code unroll_through:
 * true} (MLP discriminator) gradients flow through the K updates, as in Metz et al. (2017); with
 * {@code false} the unrolled weights are constants (the surrogate, available for every architecture).
 * By default the loss against the unrolled D is L_G on the generated batch alone; {@code unroll_real_term}
 * subtracts the real part R of L_D at the unrolled D ({@link dev.genlab.plugin.gan.Objective#realTerm}),
 * which makes the minimax generator minimise Metz et al.'s f(θ_G, θ_D^K) = E log D_K(x) + E log(1 −
 * D_K(G(z))) exactly: its first term depends on θ_G through θ_D^K.
 *
 * <h2>Batches and the papers' semantics</h2>
 * The framework hands each step one batch. Each update uses the rows {@link
 * dev.genlab.plugin.gan.GanTraining#plan} assigns: by default the whole batch cut to a multiple of
 * {@code pack} for every critic update; with {@code packs_per_update: P}, the first pack × P rows and as
 * many generated samples (PacGAN's code counts its batch of 100 in packs); with {@code
 * fresh_real_per_critic}, one disjoint slice of the batch per critic update (WGAN-GP's reference draws a
 * fresh real batch for each). Learning-rate decay scales both optimisers through genlab-nn's {@code
 * Adam.setRateScale}, derived from the saved step count; {@code ema_decay} keeps a genlab-nn {@code Ema} of
 * G's weights for sampling. Every parameter added for these (issue 21) defaults to the earlier behaviour and
 * is declared added-later, so it leaves existing trial hashes unchanged. plugins/gan/papers.md maps the
 * three reference codes' toy setups onto the parameters.
 */
package dev.genlab.plugin.gan;
