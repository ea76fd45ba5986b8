package io.blooionative;

import com.sun.jna.Library;
import io.blooionative.internal.LibraryLoader;
import java.lang.reflect.Proxy;

/** Run in a child JVM by LoaderTest: prints which file libblooio was loaded from, and its version. */
public final class LoaderProbe {
    private LoaderProbe() {}

    public static void main(String[] args) {
        Library.Handler handler = (Library.Handler) Proxy.getInvocationHandler(LibraryLoader.library());
        System.out.println(handler.getNativeLibrary().getFile().getAbsolutePath());
        System.out.println(BlooioClient.libraryVersion());
    }
}
