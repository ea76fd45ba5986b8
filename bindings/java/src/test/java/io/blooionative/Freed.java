package io.blooionative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.ptr.ByteByReference;
import com.sun.jna.ptr.PointerByReference;
import io.blooionative.internal.BlooioLibrary;
import java.util.EnumMap;
import java.util.Map;

/**
 * Asks libblooio itself whether the handles the binding says it gave back are freed. Every
 * function checks that a pointer is a live handle of its type and refuses any other with
 * INVALID_ARGUMENT, so a handle that was not really freed answers otherwise. (Strings have no
 * getter to ask; they are only counted.)
 */
final class Freed {
    private Freed() {}

    /** Forgets the handles given back so far. */
    static void reset() {
        Native.drainReleased();
    }

    /** Asserts each handle given back since {@link #reset()} is freed; returns how many per kind. */
    static Map<Native.Kind, Integer> check() {
        BlooioLibrary lib = Native.lib();
        Map<Native.Kind, Integer> counts = new EnumMap<>(Native.Kind.class);
        byte[] chat = Native.cString("chat_id", "+15551234567");
        for (Native.Released r : Native.drainReleased()) {
            counts.merge(r.kind, 1, Integer::sum);
            int status;
            switch (r.kind) {
                case OPTIONS:
                    status = lib.blooio_options_set_max_retries(r.handle, 0, null);
                    break;
                case CLIENT:
                    status = lib.blooio_get_chat_background(r.handle, chat, new PointerByReference(), null);
                    break;
                case BACKGROUND:
                    status = lib.blooio_background_chat_id(r.handle, new ByteByReference(), new PointerByReference());
                    break;
                case ERROR:
                    status = lib.blooio_error_status(r.handle);
                    break;
                default:
                    continue;
            }
            assertEquals(Status.INVALID_ARGUMENT.code(), status, r.kind + " " + r.handle + " is still live");
        }
        return counts;
    }

    /** {@link #check()}, and that at least one handle of {@code kind} was given back. */
    static void checkIncludes(Native.Kind... kinds) {
        Map<Native.Kind, Integer> counts = check();
        for (Native.Kind kind : kinds) {
            assertTrue(counts.getOrDefault(kind, 0) > 0, "no " + kind + " was given back: " + counts);
        }
    }
}
