package io.blooionative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where libblooio is loaded from, in a child JVM each (a JVM loads it once): the copy bundled
 * under linux-x86-64/ by default, BLOOIO_LIBRARY_PATH (a file or a directory) when set, and a
 * clear error when that names nothing.
 */
class LoaderTest {
    private static String where(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static List<String> probe(Map<String, String> env, int expectedExit) throws Exception {
        String classpath = String.join(File.pathSeparator, where(BlooioClient.class), where(LoaderProbe.class),
                where(com.sun.jna.Native.class));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, LoaderProbe.class.getName());
        // Apart from stdout: Java 24+ warns on stderr when JNA loads a library.
        File stderr = File.createTempFile("blooio-probe", ".err");
        stderr.deleteOnExit();
        pb.redirectError(stderr);
        pb.environment().remove("BLOOIO_LIBRARY_PATH");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String err = Files.readString(stderr.toPath());
        assertEquals(expectedExit, p.exitValue(), out + err);
        return List.of((expectedExit == 0 ? out : err).split("\n"));
    }

    @Test
    void theBundledCopyByDefaultAndBlooioLibraryPathWhenSet(@TempDir Path dir) throws Exception {
        List<String> bundled = probe(Map.of(), 0);
        assertTrue(bundled.get(0).endsWith("linux-x86-64" + File.separator + "libblooio.so"), bundled.get(0));
        assertEquals(System.getProperty("blooio.expectedVersion"), bundled.get(1));

        Path copy = Files.copy(Path.of(bundled.get(0)), dir.resolve("libblooio.so"));
        assertEquals(copy.toString(), probe(Map.of("BLOOIO_LIBRARY_PATH", copy.toString()), 0).get(0));
        assertEquals(copy.toString(), probe(Map.of("BLOOIO_LIBRARY_PATH", dir.toString()), 0).get(0));
        assertNotEquals(bundled.get(0), copy.toString());

        String missing = String.join("\n", probe(Map.of("BLOOIO_LIBRARY_PATH", dir.resolve("nope").toString()), 1));
        assertTrue(missing.contains("BLOOIO_LIBRARY_PATH") && missing.contains("nope"), missing);
    }
}
