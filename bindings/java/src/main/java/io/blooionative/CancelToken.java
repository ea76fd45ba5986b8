package io.blooionative;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stops calls from any thread: pass it with {@link CallOptions.Builder#cancelToken} to one or
 * more calls, then {@link #cancel()}. A call whose token is cancelled fails with
 * {@link CancelledException} within about 100 ms, whether it is connecting, sending, waiting
 * for the answer or reading it, or waiting to retry; its connection is closed, not reused. A
 * call started with a token already cancelled fails at once and sends nothing.
 *
 * <p>A {@code blooio_cancel_token} underneath, freed by a {@link Cleaner} once this object is
 * unreachable (a call holds a reference of its own, so that is safe at any time).
 */
public final class CancelToken {
    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "blooio-token-cleaner");
        t.setDaemon(true);
        return t;
    });

    private final Pointer handle;
    /** Async calls started with this token, each with a token of its own to cancel too. */
    private final Set<BlooioClient.InFlight> linked = ConcurrentHashMap.newKeySet();

    /** A token not yet cancelled. */
    public CancelToken() {
        handle = newHandle();
        Pointer h = handle;
        CLEANER.register(this, () -> Native.lib().blooio_cancel_token_free(h));
    }

    /** A new library token, owned by the caller; what the library answered when it cannot make one is thrown. */
    static Pointer newHandle() {
        PointerByReference out = new PointerByReference();
        PointerByReference error = new PointerByReference();
        int status = Native.lib().blooio_cancel_token_new(out, error);
        if (status != 0) {
            throw Errors.take(status, error.getValue());
        }
        return out.getValue();
    }

    /** Cancels every call made with this token, now and later. Idempotent; any thread. */
    public void cancel() {
        try {
            Native.lib().blooio_cancel_token_cancel(handle);
            for (BlooioClient.InFlight call : linked) {
                call.cancelNative();
            }
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** Whether {@link #cancel()} was called. */
    public boolean isCancelled() {
        try {
            return Native.lib().blooio_cancel_token_is_cancelled(handle) != 0;
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** The native token; the caller keeps this object reachable while it uses it. */
    Pointer handle() {
        return handle;
    }

    /** Cancels {@code call} with this token; at once if this token is cancelled already. */
    void link(BlooioClient.InFlight call) {
        linked.add(call);
        if (isCancelled()) {
            call.cancelNative();
        }
    }

    void unlink(BlooioClient.InFlight call) {
        linked.remove(call);
    }

    @Override
    public String toString() {
        return "CancelToken[" + (isCancelled() ? "cancelled" : "not cancelled") + "]";
    }
}
