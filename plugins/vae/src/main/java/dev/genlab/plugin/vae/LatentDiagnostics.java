package dev.genlab.plugin.vae;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Posterior-collapse diagnostics of a trained VAE on a set of examples (see {@link LatentStats}).
 *
 * @param klPerDim mean KL(q(z_u|x) ‖ N(0, 1)) of each latent unit, nats
 * @param activity Burda et al.'s A_u = Cov_x(E_q[z_u|x]) of each unit
 * @param activeUnits units with A_u above the threshold
 * @param mutualInformation estimate of I(x; z) under the aggregate posterior, nats
 * @param examples examples used for the KL and activity
 * @param miExamples examples used for the mutual information (it costs n² L)
 */
public record LatentDiagnostics(double[] klPerDim, double[] activity, int activeUnits, double mutualInformation,
        int examples, int miExamples) {

    /** Copies the arrays. */
    public LatentDiagnostics {
        klPerDim = klPerDim.clone();
        activity = activity.clone();
    }

    /** @return a copy of the per-unit KL */
    @Override
    public double[] klPerDim() {
        return klPerDim.clone();
    }

    /** @return a copy of the per-unit activity */
    @Override
    public double[] activity() {
        return activity.clone();
    }

    /** @return the total KL, Σ_u klPerDim[u] */
    public double kl() {
        double sum = 0;
        for (double v : klPerDim) {
            sum += v;
        }
        return sum;
    }

    /**
     * @param perDim also include {@code kl_dim_<u>} for every unit
     * @return flat named values: kl, active_units, mi and optionally kl_dim_u
     */
    public Map<String, Double> toMap(boolean perDim) {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("kl", kl());
        out.put("active_units", (double) activeUnits);
        out.put("mi", mutualInformation);
        if (perDim) {
            for (int u = 0; u < klPerDim.length; u++) {
                out.put("kl_dim_" + u, klPerDim[u]);
            }
        }
        return out;
    }
}
