package io.blooionative;

import com.sun.jna.Pointer;
import io.blooionative.internal.BlooioLibrary;
import io.blooionative.internal.LibraryLoader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/** What every class of the binding shares: the library, C strings, and the handle count. */
final class Native {
    private Native() {}

    static BlooioLibrary lib() {
        return LibraryLoader.library();
    }

    // Every handle the library hands over (options, client, background, error, string, call
    // options, a call's own cancel token) adds one; giving it back subtracts one. (The
    // CancelTokens users make are freed by a Cleaner, whenever it runs, so not counted.) The tests read it to show that nothing leaks.
    private static final AtomicLong LIVE_HANDLES = new AtomicLong();
    // Clients freed by the Cleaner (never closed by their owner).
    private static final AtomicLong CLIENTS_FREED_BY_CLEANER = new AtomicLong();

    /** The kinds of native object the library hands over. */
    enum Kind { OPTIONS, CLIENT, BACKGROUND, ERROR, STRING, CALL_OPTIONS, CANCEL_TOKEN }

    /** A handle given back to the library, kept for the tests to ask the library about. */
    static final class Released {
        final Kind kind;
        final Pointer handle;

        Released(Kind kind, Pointer handle) {
            this.kind = kind;
            this.handle = handle;
        }
    }

    // With -Dblooio.trackHandles=true (the test suite sets it), the handles given back are
    // also recorded, so a test can ask libblooio whether each is really freed: a freed handle
    // is no longer live, and every function refuses it with INVALID_ARGUMENT.
    private static final boolean TRACK = Boolean.getBoolean("blooio.trackHandles");
    private static final java.util.Queue<Released> RELEASED = new java.util.concurrent.ConcurrentLinkedQueue<>();

    static Pointer taken(Kind kind, Pointer handle) {
        if (handle != null) {
            LIVE_HANDLES.incrementAndGet();
        }
        return handle;
    }

    /** Call right after giving {@code handle} back to the library. */
    static void released(Kind kind, Pointer handle) {
        if (handle != null) {
            LIVE_HANDLES.decrementAndGet();
            if (TRACK) {
                RELEASED.add(new Released(kind, handle));
            }
        }
    }

    /** The handles given back since the last call (with -Dblooio.trackHandles=true), oldest first. */
    static java.util.List<Released> drainReleased() {
        java.util.List<Released> out = new java.util.ArrayList<>();
        for (Released r; (r = RELEASED.poll()) != null; ) {
            out.add(r);
        }
        return out;
    }

    static void freedByCleaner() {
        CLIENTS_FREED_BY_CLEANER.incrementAndGet();
    }

    /** Native handles handed over and not yet given back (for tests). */
    static long liveHandles() {
        return LIVE_HANDLES.get();
    }

    /** Clients the Cleaner freed (for tests). */
    static long clientsFreedByCleaner() {
        return CLIENTS_FREED_BY_CLEANER.get();
    }

    /**
     * {@code value} as NUL-terminated UTF-8, or null for null (which the library refuses,
     * naming the argument). Text that no C string can carry (a NUL, which would cut it short,
     * or a lone surrogate, which has no UTF-8 form) is refused here, before anything is sent.
     */
    static byte[] cString(String argument, String value) {
        if (value == null) {
            return null;
        }
        if (value.indexOf('\0') >= 0) {
            throw Errors.local(Status.INVALID_ARGUMENT, argument + " contains a NUL character, which a C string cannot hold");
        }
        ByteBuffer encoded;
        try {
            encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(value));
        } catch (CharacterCodingException e) {
            throw Errors.local(Status.INVALID_ARGUMENT, argument + " is not valid Unicode (a lone surrogate): it has no UTF-8 form");
        }
        byte[] bytes = new byte[encoded.remaining() + 1];
        encoded.get(bytes, 0, bytes.length - 1);
        return bytes;
    }

    /** A NUL-terminated UTF-8 string the library lent, or null for NULL. */
    static String string(Pointer p) {
        return p == null ? null : p.getString(0, StandardCharsets.UTF_8.name());
    }
}
