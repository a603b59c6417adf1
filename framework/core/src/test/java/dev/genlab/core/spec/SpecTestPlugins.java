package dev.genlab.core.spec;

import dev.genlab.api.Dataset;
import dev.genlab.api.DatasetProvider;
import dev.genlab.api.DatasetSetup;
import dev.genlab.api.EvalInput;
import dev.genlab.api.GenlabApi;
import dev.genlab.api.MetricProvider;
import dev.genlab.api.Paradigm;
import dev.genlab.api.ParadigmProvider;
import dev.genlab.api.ParadigmSetup;
import dev.genlab.api.ParamSchema;
import dev.genlab.core.plugin.PluginRegistry;
import java.util.List;
import java.util.Map;

/**
 * Hand-made providers with real parameter schemas, for spec and sweep tests. They only describe
 * themselves: creating a model, loading data or computing a metric is not part of spec handling.
 */
public final class SpecTestPlugins {

    private SpecTestPlugins() {}

    /** @return a registry with paradigms gan, vae, diffusion; datasets ring8, grid25, digits; three metrics */
    public static PluginRegistry registry() {
        return registry(ganSchema().build());
    }

    /**
     * @return {@link #registry()} with a later release of gan: two parameters added after the first
     *     ({@code packs}, {@code ema}), both marked {@link ParamSchema.Builder#addedLater}
     */
    public static PluginRegistry registryWithLaterGan() {
        return registry(ganSchema()
                .addInt("packs", 0, 0, 1000, "packs per update (0: all the batch holds)").addedLater()
                .addBoolean("ema", false, "average the generator").addedLater()
                .build());
    }

    /**
     * @param name a dataset's name
     * @param dataset a real dataset provider, e.g. {@code mnist}, whose schema and cross-parameter rules the
     *     spec tests should see
     * @return {@link #registry()} with that dataset added
     */
    public static PluginRegistry registryWith(String name, DatasetProvider dataset) {
        return registry(ganSchema().build(), Map.of(name, dataset));
    }

    private static ParamSchema.Builder ganSchema() {
        return ParamSchema.builder()
                .addDouble("lr", 2e-4, 1e-6, 1.0, "Adam learning rate")
                .addChoice("loss", "non_saturating", List.of("non_saturating", "hinge", "wasserstein"), "loss")
                .addInt("d_steps", 1, 1, 10, "discriminator steps per generator step")
                .addBoolean("spectral_norm", false, "spectral normalisation in the discriminator");
    }

    private static PluginRegistry registry(ParamSchema gan) {
        return registry(gan, Map.of());
    }

    private static PluginRegistry registry(ParamSchema gan, Map<String, DatasetProvider> extraDatasets) {
        ParamSchema vae = ParamSchema.builder()
                .addDouble("beta", 1.0, 0.0, 100.0, "KL weight")
                .addInt("latent_dim", 8, 1, 512, "latent dimension")
                .build();
        ParamSchema diffusion = ParamSchema.builder()
                .addInt("timesteps", 1000, 1, 10000, "diffusion steps T")
                .addChoice("sampler", "ddpm", List.of("ddpm", "ddim"), "sampler")
                .addDouble("lr", 1e-3, 1e-6, 1.0, "learning rate")
                .build();
        ParamSchema ring = ParamSchema.builder()
                .addInt("n", 100_000, 1, 10_000_000, "number of points")
                .addDouble("std", 0.01, 1e-6, 10.0, "mode standard deviation")
                .build();
        ParamSchema digits = ParamSchema.builder()
                .addString("path", "", "data file, empty for the bundled one")
                .build();
        return new PluginRegistry(
                Map.of("gan", new FakeParadigm("gan", gan), "vae", new FakeParadigm("vae", vae),
                        "diffusion", new FakeParadigm("diffusion", diffusion)),
                datasets(Map.of("ring8", new FakeDataset("ring8", ring), "grid25", new FakeDataset("grid25", ring),
                        "digits", new FakeDataset("digits", digits)), extraDatasets),
                Map.of("prdc", new FakeMetric("prdc"), "frechet", new FakeMetric("frechet"),
                        "modes", new FakeMetric("modes")),
                Map.of());
    }

    private static Map<String, DatasetProvider> datasets(Map<String, DatasetProvider> fakes,
            Map<String, DatasetProvider> extra) {
        Map<String, DatasetProvider> all = new java.util.HashMap<>(fakes);
        all.putAll(extra);
        return all;
    }

    /** A paradigm provider that only has a name and a schema. */
    record FakeParadigm(String name, ParamSchema parameters) implements ParadigmProvider {
        @Override
        public String description() {
            return "test paradigm " + name;
        }

        @Override
        public int apiVersion() {
            return GenlabApi.VERSION;
        }

        @Override
        public Paradigm create(ParadigmSetup setup) {
            throw new UnsupportedOperationException("spec tests never train");
        }
    }

    /** A dataset provider that only has a name and a schema. */
    record FakeDataset(String name, ParamSchema parameters) implements DatasetProvider {
        @Override
        public String description() {
            return "test dataset " + name;
        }

        @Override
        public int apiVersion() {
            return GenlabApi.VERSION;
        }

        @Override
        public Dataset load(DatasetSetup setup) {
            throw new UnsupportedOperationException("spec tests never load data");
        }
    }

    /** A metric provider that only has a name. */
    record FakeMetric(String name) implements MetricProvider {
        @Override
        public String description() {
            return "test metric " + name;
        }

        @Override
        public int apiVersion() {
            return GenlabApi.VERSION;
        }

        @Override
        public boolean appliesTo(EvalInput input) {
            return true;
        }

        @Override
        public Map<String, Double> compute(EvalInput input) {
            throw new UnsupportedOperationException("spec tests never evaluate");
        }
    }
}
