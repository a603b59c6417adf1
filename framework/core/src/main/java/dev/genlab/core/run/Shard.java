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
    /** The step between task ids of a Slurm job array ({@code --array=0-8:2}). */
    public static final String SLURM_STEP = "SLURM_ARRAY_TASK_STEP";
    /** The pod's index in a Kubernetes Indexed Job. */
    public static final String K8S_INDEX = "JOB_COMPLETION_INDEX";
    /** The shard count when the scheduler does not say (Kubernetes). */
    public static final String SHARDS = "GENLAB_SHARDS";

    /** Checks the bounds. */
    public Shard {
        if (count < 1) {
            throw new IllegalArgumentException("shard " + index + "/" + count + " is impossible: the number of "
                    + "shards n must be at least 1 (e.g. --shard 0/1 for the whole plan)");
        }
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("shard " + index + "/" + count + " is impossible: i counts from 0 "
                    + "to n-1, so " + count + " shard(s) are " + examples(count));
        }
    }

    private static String examples(int count) {
        return count == 1 ? "0/1" : count == 2 ? "0/2 and 1/2" : "0/" + count + " ... " + (count - 1) + "/" + count;
    }

    /**
     * @param text {@code i/n}, with {@code i} counted from 0
     * @return the shard
     * @throws IllegalArgumentException if the text is not {@code i/n} with {@code 0 <= i < n}
     */
    public static Shard parse(String text) {
        String[] parts = text.trim().split("/", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("--shard takes i/n (i from 0 to n-1) or none, got '" + text + "'");
        }
        try {
            return new Shard(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--shard takes i/n (i from 0 to n-1) or none, got '" + text + "'");
        }
    }

    /**
     * The shard a scheduler assigned through the environment: a Slurm job array
     * ({@code (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP} of
     * {@code SLURM_ARRAY_TASK_COUNT}, so ranges with a step work too), or a Kubernetes Indexed Job
     * ({@code JOB_COMPLETION_INDEX} of {@code shards}, else of {@code GENLAB_SHARDS}).
     *
     * @param env environment lookup
     * @param shards the shard count given on the command line, or null
     * @return the shard, or null when no scheduler variable is set
     * @throws IllegalArgumentException on malformed values, a task id that is no evenly spaced position in its
     *     array (a list such as {@code --array=1,5,7}), or a Kubernetes index without a count or beyond it
     */
    public static Shard fromEnvironment(Function<String, String> env, Integer shards) {
        String slurmId = env.apply(SLURM_ID);
        if (slurmId != null && !slurmId.isBlank()) {
            int id = number(slurmId, SLURM_ID);
            String minText = env.apply(SLURM_MIN);
            int min = minText == null || minText.isBlank() ? 0 : number(minText, SLURM_MIN);
            String stepText = env.apply(SLURM_STEP);
            int step = stepText == null || stepText.isBlank() ? 1 : number(stepText, SLURM_STEP);
            int count = shards != null ? shards : number(required(env, SLURM_COUNT), SLURM_COUNT);
            int offset = id - min;
            if (step < 1 || offset < 0 || offset % step != 0 || offset / step >= count || count < 1) {
                throw new IllegalArgumentException("this Slurm array task cannot be a static shard: " + SLURM_ID
                        + "=" + id + " is not one of the " + count + " task ids " + min + ", " + (min + step)
                        + ", ... that " + SLURM_MIN + "=" + min + ", " + SLURM_STEP + "=" + step + " and "
                        + (shards != null ? "--shards" : SLURM_COUNT) + "=" + count + " describe (the array was "
                        + "given as a list, e.g. --array=1,5,7). Fix: submit a range (--array=0-3 or "
                        + "--array=0-6:2), or pass --shard none so that every task claims trials from the whole "
                        + "plan in one store shared by all tasks (--store on a shared file system)");
            }
            return new Shard(offset / step, count);
        }
        String k8s = env.apply(K8S_INDEX);
        if (k8s != null && !k8s.isBlank()) {
            String total = env.apply(SHARDS);
            if (shards == null && (total == null || total.isBlank())) {
                throw new IllegalArgumentException(K8S_INDEX + " is set but not the shard count: pass --shards N "
                        + "or set " + SHARDS + " (the Job's completions)");
            }
            int index = number(k8s, K8S_INDEX);
            int count = shards != null ? shards : number(total, SHARDS);
            if (count < 1 || index < 0 || index >= count) {
                throw new IllegalArgumentException(K8S_INDEX + "=" + index + " does not fit " + count + " shard(s) ("
                        + (shards != null ? "--shards" : SHARDS) + "): set it to the Job's completions, or pass "
                        + "--shard none so that every pod claims trials from one shared store");
            }
            return new Shard(index, count);
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
