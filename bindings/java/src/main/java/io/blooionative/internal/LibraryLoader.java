package io.blooionative.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Loads libblooio once per class loader. Where from, first match wins:
 *
 * <ol>
 *   <li>{@code BLOOIO_LIBRARY_PATH} (environment) or {@code blooio.library.path} (system
 *       property): the library file itself, or a directory holding {@code libblooio.so};
 *   <li>JNA's own search: {@code jna.library.path}, the system's library path, then the copy
 *       bundled in the jar under {@code linux-x86-64/}.
 * </ol>
 *
 * <p>Not for use outside the binding.
 */
public final class LibraryLoader {
    private LibraryLoader() {}

    private static final class Holder {
        static final BlooioLibrary LIBRARY = load();
    }

    /** The loaded library; the first call loads it. */
    public static BlooioLibrary library() {
        return Holder.LIBRARY;
    }

    private static BlooioLibrary load() {
        // Strings cross as byte[] the binding encodes itself; this only governs any String JNA
        // would convert on its own, so that it too is UTF-8 whatever the platform default.
        Map<String, Object> options = Map.of(Library.OPTION_STRING_ENCODING, StandardCharsets.UTF_8.name());
        String explicit = System.getProperty("blooio.library.path");
        if (explicit == null || explicit.isEmpty()) {
            explicit = System.getenv("BLOOIO_LIBRARY_PATH");
        }
        String name = "blooio";
        if (explicit != null && !explicit.isEmpty()) {
            File file = new File(explicit);
            if (file.isDirectory()) {
                file = new File(file, System.mapLibraryName("blooio"));
            }
            if (!file.isFile()) {
                throw new UnsatisfiedLinkError(
                        "BLOOIO_LIBRARY_PATH (or blooio.library.path) is " + explicit
                                + ", which is neither libblooio nor a directory holding it");
            }
            name = file.getAbsolutePath();
        }
        return Native.load(name, BlooioLibrary.class, options);
    }
}
