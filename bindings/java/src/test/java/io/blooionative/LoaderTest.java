package io.blooionative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where libblooio is loaded from, in a child JVM each (a JVM loads it once): the copy bundled
 * under linux-x86-64/ by default, BLOOIO_LIBRARY_PATH (a file or a directory) when set, and a
 * clear error when that names nothing.
 */
class LoaderTest {
    private static List<String> probe(Map<String, String> env, int expectedExit) throws Exception {
        ChildJvm.Result r = ChildJvm.run(LoaderProbe.class, e -> {
            e.remove("BLOOIO_LIBRARY_PATH");
            e.putAll(env);
        });
        assertEquals(expectedExit, r.exit(), r.out() + r.err());
        return List.of((expectedExit == 0 ? r.out() : r.err()).split("\n"));
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
