package dev.genlab.core.run;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Facts about the software and machine a run used, recorded as tags on every run so that it can be
 * re-run: genlab and Java versions, OS, DJL engine and version, threads, and the git commit (with a
 * dirty flag) when genlab runs from a checkout. Computed once per process.
 */
public final class Provenance {

    private static final Logger LOG = LogManager.getLogger(Provenance.class);

    private final Map<String, String> tags;

    /** Reads versions and the git state of the working directory. */
    public Provenance() {
        this(Path.of("").toAbsolutePath());
    }

    Provenance(Path workDir) {
        Map<String, String> t = new LinkedHashMap<>();
        String version = Provenance.class.getPackage().getImplementationVersion();
        t.put("genlab.version", version == null ? "dev" : version);
        t.put("genlab.java", System.getProperty("java.version"));
        t.put("genlab.os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        t.put("genlab.cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
        t.put("genlab.threads", System.getProperty("ai.djl.pytorch.num_threads", "engine default"));
        t.put("mlflow.user", System.getProperty("user.name", "unknown"));
        try {
            Engine engine = Engine.getInstance();
            t.put("genlab.djl.engine", engine.getEngineName() + " " + engine.getVersion());
            t.put("genlab.djl.version", Engine.getDjlVersion());
        } catch (RuntimeException e) {
            LOG.debug("no DJL engine for provenance: {}", e.toString());
        }
        String commit = git(workDir, "rev-parse", "HEAD");
        if (commit != null && commit.matches("[0-9a-f]{40}")) {
            t.put("mlflow.source.git.commit", commit);
            String status = git(workDir, "status", "--porcelain", "--untracked-files=no");
            t.put("genlab.git.dirty", Boolean.toString(status != null && !status.isBlank()));
        }
        this.tags = Map.copyOf(t);
    }

    /** @return the provenance tags */
    public Map<String, String> tags() {
        return tags;
    }

    private static String git(Path dir, String... args) {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "git";
        cmd[1] = "-C";
        cmd[2] = dir.toString();
        System.arraycopy(args, 0, cmd, 3, args.length);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
            p.getOutputStream().close();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            }
            p.getErrorStream().close();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null; // no git on this machine: provenance simply lacks the commit
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
