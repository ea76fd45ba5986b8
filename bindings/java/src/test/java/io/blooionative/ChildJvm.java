package io.blooionative;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs a probe's {@code main} in a child JVM, for what one JVM can do only once or not at all
 * (load the library, change its own environment). The child's classpath holds the library's
 * classes, the probe's and JNA.
 */
final class ChildJvm {
    /** How the child exited and what it printed. */
    record Result(int exit, String out, String err) {}

    private ChildJvm() {}

    /** Runs {@code probe} with the environment {@code environment} leaves; waits up to 30 s. */
    static Result run(Class<?> probe, Consumer<Map<String, String>> environment) throws Exception {
        String classpath = String.join(File.pathSeparator, where(BlooioClient.class), where(probe),
                where(com.sun.jna.Native.class));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, probe.getName());
        // Apart from stdout: Java 24+ warns on stderr when JNA loads a library.
        File stderr = File.createTempFile("blooio-probe", ".err");
        stderr.deleteOnExit();
        pb.redirectError(stderr);
        environment.accept(pb.environment());
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out, Files.readString(stderr.toPath()));
    }

    private static String where(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
