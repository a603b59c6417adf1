package dev.genlab.core.run;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One of {@code count} disjoint parts of a sweep's plan: the trials at plan positions {@code p} with
 * {@code p % count == index}. Round robin (rather than contiguous blocks) spreads each paradigm's trials
 * over the shards, so shards take similar times when paradigms differ in cost.
 *
 * @param index this part, from 0
 * @param count number of parts, at least 1
 */
public record Shard(int index, int count) {

    /** Environment variables read by {@link #fromEnvironment}. */
    public static final String SLURM_ID = "SLURM_ARRAY_TASK_ID";
    /** Number of tasks in a Slurm job array. */
    public static final String SLURM_COUNT = "SLURM_ARRAY_TASK_COUNT";
    /** The first task id of a Slurm job array (arrays may start at 1). */
    public static final String SLURM_MIN = "SLURM_ARRAY_TASK_MIN";
    /** The pod's index in a Kubernetes Indexed Job. */
    public static final String K8S_INDEX = "JOB_COMPLETION_INDEX";
    /** The shard count when the scheduler does not say (Kubernetes). */
    public static final String SHARDS = "GENLAB_SHARDS";

    /** Checks the bounds. */
    public Shard {
        if (count < 1 || index < 0 || index >= count) {
            throw new IllegalArgumentException("shard " + index + "/" + count + ": need 0 <= i < n and n >= 1");
        }
    }

    /**
     * @param text {@code i/n}, with {@code i} counted from 0
     * @return the shard
     * @throws IllegalArgumentException if the text is not {@code i/n} with {@code 0 <= i < n}
     */
    public static Shard parse(String text) {
        String[] parts = text.trim().split("/", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("--shard takes i/n (i from 0 to n-1), got '" + text + "'");
        }
        try {
            return new Shard(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--shard takes i/n (i from 0 to n-1), got '" + text + "'");
        }
    }

    /**
     * The shard a scheduler assigned through the environment: a Slurm job array
     * ({@code SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN} of {@code SLURM_ARRAY_TASK_COUNT}), or a Kubernetes
     * Indexed Job ({@code JOB_COMPLETION_INDEX} of {@code shards}, else of {@code GENLAB_SHARDS}).
     *
     * @param env environment lookup
     * @param shards the shard count given on the command line, or null
     * @return the shard, or null when no scheduler variable is set
     * @throws IllegalArgumentException on malformed values, or a Kubernetes index without a count
     */
    public static Shard fromEnvironment(Function<String, String> env, Integer shards) {
        String slurmId = env.apply(SLURM_ID);
        if (slurmId != null && !slurmId.isBlank()) {
            String min = env.apply(SLURM_MIN);
            int index = number(slurmId, SLURM_ID) - (min == null || min.isBlank() ? 0 : number(min, SLURM_MIN));
            int count = shards != null ? shards : number(required(env, SLURM_COUNT), SLURM_COUNT);
            return new Shard(index, count);
        }
        String k8s = env.apply(K8S_INDEX);
        if (k8s != null && !k8s.isBlank()) {
            String total = env.apply(SHARDS);
            if (shards == null && (total == null || total.isBlank())) {
                throw new IllegalArgumentException(K8S_INDEX + " is set but not the shard count: pass --shards N "
                        + "or set " + SHARDS + " (the Job's completions)");
            }
            return new Shard(number(k8s, K8S_INDEX), shards != null ? shards : number(total, SHARDS));
        }
        return null;
    }

    /**
     * @param plan the whole plan, in order
     * @param <T> element type
     * @return this shard's elements, in plan order
     */
    public <T> List<T> select(List<T> plan) {
        List<T> mine = new ArrayList<>();
        for (int p = index; p < plan.size(); p += count) {
            mine.add(plan.get(p));
        }
        return mine;
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }

    private static String required(Function<String, String> env, String name) {
        String v = env.apply(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(name + " is not set");
        }
        return v;
    }

    private static int number(String value, String name) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + value + "'");
        }
    }
}
