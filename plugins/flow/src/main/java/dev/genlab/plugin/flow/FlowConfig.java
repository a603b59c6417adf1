package dev.genlab.plugin.flow;

import dev.genlab.api.DataShape;
import dev.genlab.api.ParamSpec;
import dev.genlab.api.Params;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The flow's parameters, checked and resolved against the data shape ("auto" made concrete).
 *
 * @param lr Adam learning rate
 * @param gradClip global gradient-norm clipping threshold (0 = off)
 * @param layers number of affine coupling layers
 * @param hidden width of the s/t networks' hidden layers
 * @param depth hidden layers per s/t network
 * @param checkerboard true for alternating coordinates as the mask, false for the first half
 * @param actnorm an ActNorm layer before each coupling
 * @param rotate a fixed random rotation of the coordinates before each coupling
 * @param scaleBound bound of the log-scales, s = bound·tanh(raw/bound)
 * @param range how image values map to the 256 grey levels; {@link Range#POINTS} for points
 * @param alpha the logit transform's α (images)
 * @param temperature standard deviation of the base draws when sampling
 */
record FlowConfig(double lr, double gradClip, int layers, int hidden, int depth, boolean checkerboard,
        boolean actnorm, boolean rotate, double scaleBound, Range range, double alpha, double temperature) {

    /** What the data are and, for images, how their values map to grey levels 0..255. */
    enum Range {
        /** Continuous points: modelled as they are. */
        POINTS,
        /** Images, scale decided from the first batch: [-1, 1] if any value is negative, else [0, 1]. */
        AUTO,
        /** Images with values level/255. */
        ZERO_ONE,
        /** Images with values level/127.5 − 1. */
        MINUS_ONE_ONE
    }

    /**
     * Rules a schema range cannot express, and the ranges themselves again (a provider may be called
     * without the framework's validation).
     *
     * @return one message per violated rule; empty if all hold
     */
    static List<String> problems(Params p) {
        List<String> out = new ArrayList<>();
        for (ParamSpec spec : FlowProvider.SCHEMA.params()) {
            Object value = p.values().get(spec.name());
            if (value instanceof Number n && ((spec.min() != null && n.doubleValue() < spec.min())
                    || (spec.max() != null && n.doubleValue() > spec.max()) || Double.isNaN(n.doubleValue()))) {
                out.add(spec.name() + " = " + value + " is outside " + spec.allowed());
            } else if (value != null && !spec.choices().isEmpty() && !spec.choices().contains(value.toString())) {
                out.add(spec.name() + " = " + value + " is not " + spec.allowed());
            }
        }
        Object layers = p.values().get("layers");
        if (layers instanceof Number n && n.longValue() % 2 != 0) {
            out.add("layers = " + n + " is odd: couplings alternate their mask, so an odd count transforms one half "
                    + "of the coordinates once more than the other; use layers: " + (n.longValue() + 1));
        }
        return out;
    }

    /**
     * @throws IllegalArgumentException if the parameters break a rule
     */
    static FlowConfig from(Params p, DataShape shape) {
        Params all = withDefaults(p);
        List<String> problems = problems(all);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("flow: " + String.join("; ", problems));
        }
        String mask = all.getString("mask");
        Range range = !shape.isImage() ? Range.POINTS : switch (all.getString("data_range")) {
            case "zero_one" -> Range.ZERO_ONE;
            case "minus_one_one" -> Range.MINUS_ONE_ONE;
            default -> Range.AUTO;
        };
        return new FlowConfig(all.getDouble("lr"), all.getDouble("grad_clip"), all.getInt("layers"),
                all.getInt("hidden"), all.getInt("depth"),
                mask.equals("checkerboard") || (mask.equals("auto") && shape.isImage()), all.getBoolean("actnorm"),
                all.getString("mixing").equals("rotation") || (all.getString("mixing").equals("auto") && !shape.isImage()),
                all.getDouble("scale_bound"), range, all.getDouble("alpha"), all.getDouble("temperature"));
    }

    /** @return the schema's defaults overridden by {@code p} */
    static Params withDefaults(Params p) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (ParamSpec spec : FlowProvider.SCHEMA.params()) {
            values.put(spec.name(), spec.defaultValue());
        }
        values.putAll(p.values());
        return new Params(values);
    }
}
