package dev.genlab.core.metrics;

import dev.genlab.api.EvalInput;
import dev.genlab.api.GenlabApi;
import dev.genlab.api.MetricProvider;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code prdc}: improved precision, recall and F1 (Kynkäänniemi et al. 2019, k = 3) and density and
 * coverage (Naeem et al. 2020, k = 5) of the samples against the reference data, from exact pairwise
 * distances (see {@link Prdc}). Keys {@code precision}, {@code recall}, {@code f1}, {@code density},
 * {@code coverage} for points (raw coordinates); the same with suffix {@code _lenet} for MNIST digits
 * (LeNet features, see {@link FeatureSpace}).
 */
public final class PrdcMetric implements MetricProvider {

    private final FeatureSpace space;

    /** Uses the standard classifier cache ({@link DigitClassifierStore#standard()}). */
    public PrdcMetric() {
        this(DigitClassifierStore.standard());
    }

    /**
     * @param store source of the digit classifier for image features
     */
    public PrdcMetric(DigitClassifierStore store) {
        this.space = new FeatureSpace(store);
    }

    @Override
    public String name() {
        return "prdc";
    }

    @Override
    public String description() {
        return "improved precision/recall/F1 (k=3) and density/coverage (k=5); LeNet features for MNIST";
    }

    @Override
    public int apiVersion() {
        return GenlabApi.VERSION;
    }

    @Override
    public boolean appliesTo(EvalInput input) {
        return FeatureSpace.applies(input);
    }

    @Override
    public Map<String, Double> compute(EvalInput input) {
        FeatureSpace.Pair f = space.features(input);
        Prdc.Result r = Prdc.compute(input.manager(), f.real(), f.fake(),
                Prdc.K_PRECISION_RECALL, Prdc.K_DENSITY_COVERAGE);
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("precision" + f.suffix(), r.precision());
        out.put("recall" + f.suffix(), r.recall());
        out.put("f1" + f.suffix(), r.f1());
        out.put("density" + f.suffix(), r.density());
        out.put("coverage" + f.suffix(), r.coverage());
        return out;
    }
}
