package dev.genlab.core.metrics;

import dev.genlab.api.EvalInput;
import dev.genlab.api.GenlabApi;
import dev.genlab.api.MetricProvider;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code frechet}: the Fréchet distance (FID formula, Heusel et al. 2017; {@link Frechet}) and the kernel
 * distance (KID, Bińkowski et al. 2018; {@link Kid}) between the samples and the reference data. Keys
 * {@code fd}, {@code kid}, {@code kid_std} for points (raw coordinates), {@code fd_lenet},
 * {@code kid_lenet}, {@code kid_std_lenet} for MNIST digits (LeNet features, see {@link FeatureSpace}).
 */
public final class FrechetMetric implements MetricProvider {

    private final FeatureSpace space;

    /** Uses the standard classifier cache ({@link DigitClassifierStore#standard()}). */
    public FrechetMetric() {
        this(DigitClassifierStore.standard());
    }

    /**
     * @param store source of the digit classifier for image features
     */
    public FrechetMetric(DigitClassifierStore store) {
        this.space = new FeatureSpace(store);
    }

    @Override
    public String name() {
        return "frechet";
    }

    @Override
    public String description() {
        return "Frechet distance and KID (cubic kernel, 100 subsets); LeNet features for MNIST";
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
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("fd" + f.suffix(), Frechet.distance(f.real(), f.fake()));
        Kid.Result kid = Kid.compute(input.manager(), f.real(), f.fake());
        out.put("kid" + f.suffix(), kid.mean());
        out.put("kid_std" + f.suffix(), kid.std());
        return out;
    }
}
