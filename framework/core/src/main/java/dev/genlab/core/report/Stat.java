package dev.genlab.core.report;

import java.util.List;
import java.util.Locale;

/**
 * Mean and sample standard deviation of one metric over a configuration's seeds.
 *
 * @param mean the mean of the finite values
 * @param std the sample (n - 1) standard deviation, 0 for a single value
 * @param n how many finite values were pooled
 */
public record Stat(double mean, double std, int n) {

    /**
     * @param values the per-seed values; NaN and infinite values are left out
     * @return the statistics, or null when no value is finite
     */
    public static Stat of(List<Double> values) {
        double[] finite = values.stream().filter(v -> v != null && Double.isFinite(v)).mapToDouble(Double::doubleValue)
                .toArray();
        if (finite.length == 0) {
            return null;
        }
        double mean = 0;
        for (double v : finite) {
            mean += v;
        }
        mean /= finite.length;
        double ss = 0;
        for (double v : finite) {
            ss += (v - mean) * (v - mean);
        }
        return new Stat(mean, finite.length > 1 ? Math.sqrt(ss / (finite.length - 1)) : 0, finite.length);
    }

    /** @return {@code mean ± std} (just the mean for one value), with about three significant digits */
    public String format() {
        return n > 1 ? number(mean) + " ± " + number(std) : number(mean);
    }

    /**
     * @return {@code mean±std} for a terminal column: no spaces, the std to two significant digits, values of
     *     100 or more without decimals
     */
    public String compact() {
        return n > 1 ? compactNumber(mean, 3) + "±" + compactNumber(std, 2) : compactNumber(mean, 3);
    }

    private static String compactNumber(double v, int digits) {
        if (Math.abs(v) >= 100 || v == Math.rint(v) && Math.abs(v) < 1e6) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, "%." + digits + "g", v);
    }

    /**
     * @param v a number
     * @return integers as integers, large values with one decimal, others with three significant digits
     */
    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e6) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.1f" : "%.3g", v);
    }
}
