package dev.genlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genlab.core.run.Shard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine;

/**
 * The cluster recipes in docs/cluster, checked for their contents: the Kubernetes manifest is valid YAML
 * describing an Indexed Job whose pods are workers on one shared store, and the genlab command lines of
 * the manifest and the Slurm script are accepted by genlab's own parser and make every task a worker of
 * the whole plan. (The Slurm script also runs on a real Slurm in {@link SlurmClusterTest}.)
 */
class ClusterRecipesTest {

    private static final Path DIR = CliEndToEndTest.REPO.resolve("docs/cluster");

    @Test
    @SuppressWarnings("unchecked")
    void kubernetesManifestIsAnIndexedJobOfWorkersOnOneSharedStore() throws Exception {
        Object doc = new Yaml(new SafeConstructor(new LoaderOptions()))
                .load(Files.readString(DIR.resolve("genlab-indexed-job.yaml")));
        Map<String, Object> job = (Map<String, Object>) doc;
        assertEquals("batch/v1", job.get("apiVersion"));
        assertEquals("Job", job.get("kind"));
        Map<String, Object> spec = (Map<String, Object>) job.get("spec");
        assertEquals("Indexed", spec.get("completionMode"));
        int completions = (Integer) spec.get("completions");
        assertTrue(completions >= 1 && (Integer) spec.get("parallelism") <= completions);
        assertTrue(spec.get("podFailurePolicy").toString().contains("DisruptionTarget"),
                "evicted pods are retried without counting as failures");
        Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) spec.get("template")).get("spec");
        assertEquals("Never", pod.get("restartPolicy"), "Indexed Jobs retry by pod, not in place");
        assertTrue((Integer) pod.get("terminationGracePeriodSeconds") >= 30, "time to checkpoint after SIGTERM");
        List<Map<String, Object>> containers = (List<Map<String, Object>>) pod.get("containers");
        assertEquals(1, containers.size());
        Map<String, Object> c = containers.get(0);
        Map<String, String> env = new HashMap<>();
        for (Map<String, Object> e : (List<Map<String, Object>>) c.get("env")) {
            env.put((String) e.get("name"), e.get("value") == null ? null : e.get("value").toString());
        }
        List<String> args = new ArrayList<>();
        for (Object a : (List<Object>) c.get("args")) {
            args.add(a.toString());
        }
        assertFalse(String.join(" ", args).contains("$("), "the same command line in every pod: " + args);
        RunCommand run = parse(args);
        Map<String, String> podEnv = new HashMap<>(env);
        podEnv.put(Shard.K8S_INDEX, "2");
        assertTrue(run.scale.worker(podEnv::get));
        assertNull(run.scale.shard(podEnv::get), "no static part: pods claim from the whole plan");
        List<String> mounts = new ArrayList<>();
        for (Map<String, Object> m : (List<Map<String, Object>>) c.get("volumeMounts")) {
            mounts.add((String) m.get("mountPath"));
        }
        assertTrue(mounts.stream().anyMatch(m -> args.get(1).startsWith(m + "/")), "the spec is mounted");
        assertTrue(mounts.stream().anyMatch(m -> run.common.store.toString().startsWith(m + "/")),
                "the store is on a volume");
    }

    @Test
    void slurmScriptMakesEveryArrayTaskAWorkerOfOneSharedStore() throws Exception {
        String script = Files.readString(DIR.resolve("genlab-array.slurm"));
        assertTrue(script.startsWith("#!/bin/bash\n"));
        for (String directive : List.of("--array=", "--open-mode=append", "--requeue", "--signal=B:USR1@",
                "--cpus-per-task=1", "--output=")) {
            assertTrue(Pattern.compile("(?m)^#SBATCH " + Pattern.quote(directive)).matcher(script).find(), directive);
        }
        assertTrue(script.contains("scontrol requeue"), "the USR1 trap requeues the task");
        Matcher line = Pattern.compile("(?m)^\"\\$GENLAB\" (.+) &$").matcher(script);
        assertTrue(line.find(), "the genlab command line");
        String words = line.group(1);
        assertTrue(words.endsWith(" \"$@\""), "the script's arguments (overrides) reach genlab: " + words);
        assertFalse(Pattern.compile("(?m)^STORE=.*SLURM_ARRAY_TASK_ID").matcher(script).find(), "one store for all");
        // Task 4 of --array=0-4:2, shell words with the variables filled in and one override.
        RunCommand run = parse(List.of(words.replace("\"$SPEC\"", "spec.yaml").replace("\"$STORE\"", "/shared/runs")
                .replace("\"${SLURM_CPUS_PER_TASK:-1}\"", "1").replace("\"$@\"", "train.steps=20").split(" ")));
        Map<String, String> env = Map.of(Shard.SLURM_ID, "4", "SLURM_ARRAY_TASK_COUNT", "3");
        assertTrue(run.scale.resume, "a requeued task continues from its checkpoints");
        assertTrue(run.scale.worker(env::get));
        assertNull(run.scale.shard(env::get), "no static part: tasks claim from the whole plan");
        assertEquals(List.of("train.steps=20"), run.args.overrides);
    }

    @Test
    void containerRecipeStartsTheCliMainClass() throws Exception {
        String recipe = Files.readString(DIR.resolve("Containerfile"));
        assertTrue(recipe.contains(Main.class.getName()));
        assertTrue(recipe.contains("-pl framework/cli -am"));
        assertTrue(recipe.contains("ENTRYPOINT [\"genlab\"]"));
        assertTrue(Files.isDirectory(CliEndToEndTest.REPO.resolve("framework/cli")));
    }

    private static RunCommand parse(List<String> args) {
        assertEquals("run", args.get(0));
        RunCommand run = new RunCommand();
        new CommandLine(run).parseArgs(args.subList(1, args.size()).toArray(String[]::new));
        return run;
    }
}
