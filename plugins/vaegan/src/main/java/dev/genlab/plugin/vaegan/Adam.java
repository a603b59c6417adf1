package dev.genlab.plugin.vaegan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam (Kingma &amp; Ba 2015) for one network, with its moments as plain arrays so they are saved and
 * restored with the weights. An update whose gradients are not all finite is skipped, so one overflow
 * cannot poison the weights.
 */
final class Adam {

    private static final float EPS = 1e-8f;

    private final NDArray[] first;
    private final NDArray[] second;
    private final float lr;
    private final float beta1;
    private final float beta2;
    private long t;
    private long skipped;

    Adam(NDManager manager, NDArray[] params, double lr, double beta1, double beta2) {
        this.lr = (float) lr;
        this.beta1 = (float) beta1;
        this.beta2 = (float) beta2;
        first = new NDArray[params.length];
        second = new NDArray[params.length];
        for (int i = 0; i < params.length; i++) {
            first[i] = manager.zeros(params[i].getShape());
            second[i] = manager.zeros(params[i].getShape());
        }
    }

    /**
     * @param params the stored weights, updated in place
     * @param grads their gradients (from views of them)
     */
    void update(NDArray[] params, NDArray[] grads) {
        for (NDArray g : grads) {
            if (!Float.isFinite(g.abs().max().getFloat())) {
                skipped++;
                return;
            }
        }
        t++;
        float c1 = (float) (1 - Math.pow(beta1, t));
        float c2 = (float) (1 - Math.pow(beta2, t));
        for (int i = 0; i < params.length; i++) {
            NDArray g = grads[i];
            first[i].muli(beta1).addi(g.mul(1 - beta1));
            second[i].muli(beta2).addi(g.square().mul(1 - beta2));
            params[i].subi(first[i].div(c1).mul(lr).div(second[i].div(c2).sqrt().add(EPS)));
        }
    }

    /** @return updates taken (for the bias correction) */
    long steps() {
        return t;
    }

    /** @return updates skipped for non-finite gradients */
    long skipped() {
        return skipped;
    }

    void restore(long steps, long skippedUpdates) {
        t = steps;
        skipped = skippedUpdates;
    }

    /** @return first then second moments, in parameter order */
    List<NDArray> state() {
        List<NDArray> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(second));
        return all;
    }
}
