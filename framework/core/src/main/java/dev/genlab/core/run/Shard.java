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

    /** Set in every task of a Slurm job array. */
    public static final String SLURM_ID = "SLURM_ARRAY_TASK_ID";
    /** Set in every pod of a Kubernetes Indexed Job. */
    public static final String K8S_INDEX = "JOB_COMPLETION_INDEX";

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
            throw new IllegalArgumentException(usage(text));
        }
        try {
            return new Shard(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(usage(text));
        }
    }

    private static String usage(String text) {
        return "--shard takes i/n (i from 0 to n-1, e.g. --shard 0/3), got '" + text + "'. To claim trials from "
                + "the whole plan (what array tasks do by default), leave --shard out";
    }

    /**
     * Whether this process is a task of a scheduler's array. Such a task is a worker of a shared sweep that
     * claims trials from the whole plan, not a static shard: with claims, any array indices (ranges, steps,
     * lists), single re-submitted indices and late joiners need no arithmetic on the task id, which broke on
     * each of them. A static split stays available as an explicit {@code --shard i/n}.
     *
     * @param env environment lookup
     * @return true in a Slurm job array task ({@value #SLURM_ID}) or a Kubernetes Indexed Job pod
     *     ({@value #K8S_INDEX})
     */
    public static boolean schedulerTask(Function<String, String> env) {
        return set(env.apply(SLURM_ID)) || set(env.apply(K8S_INDEX));
    }

    private static boolean set(String value) {
        return value != null && !value.isBlank();
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
}
