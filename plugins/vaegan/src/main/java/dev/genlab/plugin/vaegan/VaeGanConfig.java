package dev.genlab.plugin.vaegan;

import dev.genlab.api.DataShape;
import dev.genlab.api.ParamSpec;
import dev.genlab.api.Params;

/**
 * The VAE-GAN's parameters, checked against the schema's ranges (a provider may be called without the
 * framework's validation) and resolved against the data shape.
 *
 * @param lr encoder and decoder learning rate
 * @param lrD discriminator learning rate
 * @param beta1 Adam β₁
 * @param beta2 Adam β₂
 * @param latentDim L
 * @param hidden MLP width, and the conv nets' dense width
 * @param layers hidden layers per MLP
 * @param channels first conv layer's channels
 * @param conv true for conv nets, false for MLPs
 * @param gamma weight of the feature reconstruction in the decoder's loss
 * @param klWeight weight of the prior KL in the encoder's loss
 */
record VaeGanConfig(double lr, double lrD, double beta1, double beta2, int latentDim, int hidden, int layers,
        int channels, boolean conv, double gamma, double klWeight) {

    /**
     * @param params the trial's parameters (missing keys take their defaults)
     * @param shape the data shape
     * @return the configuration
     * @throws IllegalArgumentException for a value out of range or an architecture that does not fit the data
     */
    static VaeGanConfig from(Params params, DataShape shape) {
        for (ParamSpec spec : VaeGanProvider.SCHEMA.params()) {
            Object value = params.values().get(spec.name());
            if (value instanceof Number n && ((spec.min() != null && n.doubleValue() < spec.min())
                    || (spec.max() != null && n.doubleValue() > spec.max()) || Double.isNaN(n.doubleValue()))) {
                throw new IllegalArgumentException("vaegan: " + spec.name() + " = " + value + " is outside "
                        + spec.allowed());
            }
            if (value != null && !spec.choices().isEmpty() && !spec.choices().contains(value.toString())) {
                throw new IllegalArgumentException("vaegan: " + spec.name() + " = " + value + " is not "
                        + spec.allowed());
            }
        }
        String arch = get(params, "architecture").toString();
        boolean fitsConv = shape.isImage() && shape.dims().get(1) % 4 == 0 && shape.dims().get(2) % 4 == 0;
        if (arch.equals("conv") && !fitsConv) {
            throw new IllegalArgumentException("vaegan: architecture conv needs images whose height and width are "
                    + "divisible by 4, got data of shape " + shape.dims() + "; use architecture: mlp");
        }
        return new VaeGanConfig(num(params, "lr"), num(params, "lr_d"), num(params, "beta1"), num(params, "beta2"),
                (int) num(params, "latent_dim"), (int) num(params, "hidden"), (int) num(params, "layers"),
                (int) num(params, "channels"), arch.equals("conv") || (arch.equals("auto") && fitsConv),
                num(params, "gamma"), num(params, "kl_weight"));
    }

    private static Object get(Params params, String name) {
        Object v = params.values().get(name);
        return v != null ? v : VaeGanProvider.SCHEMA.get(name).orElseThrow().defaultValue();
    }

    private static double num(Params params, String name) {
        return ((Number) get(params, name)).doubleValue();
    }
}
