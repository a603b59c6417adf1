/**
 * The {@code flow} paradigm plugin ({@link dev.genlab.plugin.flow.FlowProvider}): a RealNVP-style normalising
 * flow (Dinh, Sohl-Dickstein, Bengio: "Density estimation using Real NVP", ICLR 2017) trained by exact maximum
 * likelihood. It is written only against genlab-api and genlab-nn (parameters, Adam, layers, checkpoint) and
 * is installed from a plugins folder that holds its jar and genlab-nn's: the worked example of a third-party
 * paradigm built on genlab-nn.
 *
 * <ul>
 *   <li>{@link dev.genlab.plugin.flow.FlowModel}: the networks, [ActNorm →] affine coupling × layers, base N(0, I);</li>
 *   <li>{@link dev.genlab.plugin.flow.Coupling}, {@link dev.genlab.plugin.flow.ActNorm}: the two layer types;</li>
 *   <li>{@link dev.genlab.plugin.flow.DataTransform}: images' dequantisation and logit transform, with their
 *       Jacobians, so the NLL is that of the discrete data;</li>
 *   <li>{@link dev.genlab.plugin.flow.FlowObjective}: the NLL and one Adam step;</li>
 *   <li>{@link dev.genlab.plugin.flow.FlowLikelihood}: the {@code LikelihoodModel} capability;</li>
 *   <li>{@link dev.genlab.plugin.flow.FlowParadigm}: the wiring, sampling and the checkpoint.</li>
 * </ul>
 */
package dev.genlab.plugin.flow;
