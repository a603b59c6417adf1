package dev.genlab.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Starts {@code genlab} in a separate JVM with this test's class path, as a user or a scheduler would. */
final class ChildJvm {

    private ChildJvm() {}

    /** @return the command that runs genlab (its arguments follow) */
    static List<String> command() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("-Dai.djl.offline=true");
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-Xss4m");
        // The distribution's logging, as a user's genlab has: the test class path also holds the tests' quieter
        // log4j2-test.xml, which Log4j would otherwise prefer (it hides genlab's INFO lines on stderr).
        cmd.add("-Dlog4j2.configurationFile=log4j2.xml");
        cmd.add(Main.class.getName());
        return cmd;
    }

    /**
     * @param log file receiving the child's stdout and stderr
     * @param env extra environment variables
     * @param args genlab's arguments
     * @return the running process
     */
    static Process start(Path log, Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(command());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("MLFLOW_TRACKING_URI");
        pb.environment().remove("SLURM_ARRAY_TASK_ID");
        pb.environment().remove("JOB_COMPLETION_INDEX");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        return p;
    }
}
