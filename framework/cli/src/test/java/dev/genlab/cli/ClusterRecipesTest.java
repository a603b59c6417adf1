package dev.genlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * The cluster recipes in docs/cluster cannot run here (no cluster), so their contents are checked: the
 * Kubernetes manifest is valid YAML describing an Indexed Job whose shard count matches its completions,
 * and the genlab command lines of the manifest and the Slurm script are accepted by genlab's own parser and
 * pick the intended shard from the scheduler's variables.
 */
class ClusterRecipesTest {

    private static final Path DIR = CliEndToEndTest.REPO.resolve("docs/cluster");

    @Test
    @SuppressWarnings("unchecked")
    void kubernetesManifestIsAnIndexedJobWhoseShardCountMatchesItsCompletions() throws Exception {
        Object doc = new Yaml(new SafeConstructor(new LoaderOptions()))
                .load(Files.readString(DIR.resolve("genlab-indexed-job.yaml")));
        Map<String, Object> job = (Map<String, Object>) doc;
        assertEquals("batch/v1", job.get("apiVersion"));
        assertEquals("Job", job.get("kind"));
        Map<String, Object> spec = (Map<String, Object>) job.get("spec");
        assertEquals("Indexed", spec.get("completionMode"));
        int completions = (Integer) spec.get("completions");
        assertTrue(completions >= 1 && (Integer) spec.get("parallelism") <= completions);
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
        assertEquals(Integer.toString(completions), env.get(Shard.SHARDS), "GENLAB_SHARDS = completions");
        assertTrue(env.get("MLFLOW_TRACKING_URI").startsWith("http"), "a shared MLflow server");

        // Pod i: the args as Kubernetes expands them, and the shard genlab derives.
        List<String> args = new ArrayList<>();
        for (Object a : (List<Object>) c.get("args")) {
            args.add(a.toString().replace("$(JOB_COMPLETION_INDEX)", "2"));
        }
        RunCommand run = parse(args);
        assertTrue(run.scale.resume);
        Map<String, String> podEnv = new HashMap<>(env);
        podEnv.put(Shard.K8S_INDEX, "2");
        assertEquals(new Shard(2, completions), run.scale.shard(podEnv::get));
        assertTrue(run.common.store.toString().endsWith("shard-2"), "one store per shard");
        List<String> mounts = new ArrayList<>();
        for (Map<String, Object> m : (List<Map<String, Object>>) c.get("volumeMounts")) {
            mounts.add((String) m.get("mountPath"));
        }
        assertTrue(mounts.stream().anyMatch(m -> args.get(1).startsWith(m + "/")), "the spec is mounted");
        assertTrue(mounts.stream().anyMatch(m -> run.common.store.toString().startsWith(m + "/")),
                "the store is on a volume");
    }

    @Test
    void slurmScriptRunsOneShardPerArrayTask() throws Exception {
        String script = Files.readString(DIR.resolve("genlab-array.slurm"));
        assertTrue(script.startsWith("#!/bin/bash\n"));
        Matcher array = Pattern.compile("(?m)^#SBATCH --array=(\\d+)-(\\d+)$").matcher(script);
        assertTrue(array.find(), "an array directive");
        int first = Integer.parseInt(array.group(1));
        int last = Integer.parseInt(array.group(2));
        assertTrue(script.contains("#SBATCH --signal=B:TERM@"), "SIGTERM before the time limit");
        Matcher exec = Pattern.compile("(?m)^exec \"\\$GENLAB\" (.+)$").matcher(script);
        assertTrue(exec.find(), "the genlab command line");
        // Task `last` of the array, as Slurm sets its variables; shell words with the variables filled in.
        String line = exec.group(1).replace("\"$SPEC\"", "spec.yaml").replace("\"$STORE\"", "/scratch/task-" + last)
                .replace("\"${SLURM_CPUS_PER_TASK:-1}\"", "2");
        RunCommand run = parse(List.of(line.split(" ")));
        Map<String, String> env = Map.of(Shard.SLURM_ID, Integer.toString(last), Shard.SLURM_MIN,
                Integer.toString(first), Shard.SLURM_COUNT, Integer.toString(last - first + 1));
        assertEquals(new Shard(last - first, last - first + 1), run.scale.shard(env::get));
        assertTrue(run.scale.resume, "a requeued task continues from its checkpoints");
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
