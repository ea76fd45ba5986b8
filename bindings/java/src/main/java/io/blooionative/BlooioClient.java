package io.blooionative;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import io.blooionative.internal.BlooioLibrary;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client for the Blooio API's chat-background endpoints ({@code GET} and {@code PUT
 * /chats/{chatId}/background}), over libblooio.
 *
 * <pre>{@code
 * try (BlooioClient client = BlooioClient.fromEnv()) { // BLOOIO_API_KEY, BLOOIO_BASE_URL
 *     ChatBackground set = client.setChatBackground("+15551234567", Path.of("beach.jpg"));
 *     ChatBackground now = client.getChatBackground("+15551234567");
 * }
 * }</pre>
 *
 * <p>Thread-safe: one client may serve any number of threads at once and reuses its
 * connections. Validation, percent-encoding, image sniffing and retries all happen in the
 * library; a call refused before sending throws with {@link BlooioException#attempts()} 0.
 *
 * <p>{@link #close()} frees the native client; closing twice is fine, calls made after it
 * throw {@link InvalidArgumentException}. A client never closed is freed by a
 * {@link Cleaner} once unreachable.
 */
public final class BlooioClient implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create(daemonThreads("blooio-cleaner"));

    /** The binding's version, the workspace's and the header's. */
    public static final String VERSION = BlooioLibrary.VERSION_MAJOR + "." + BlooioLibrary.VERSION_MINOR + "."
            + BlooioLibrary.VERSION_PATCH;

    private final Pointer handle;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Release release;
    private final Cleaner.Cleanable cleanable;

    /** Frees one native client handle exactly once: when its owner is done, or from the Cleaner. */
    private static final class Release implements Runnable {
        private final Pointer handle;
        private volatile boolean byOwner;

        Release(Pointer handle) {
            this.handle = handle;
        }

        @Override
        public void run() {
            Native.lib().blooio_client_free(handle);
            Native.released(Native.Kind.CLIENT, handle);
            if (!byOwner) {
                Native.freedByCleaner();
            }
        }
    }

    /**
     * A handle of this client's own for one queued async call ({@code blooio_client_clone}), so
     * that closing the client while the call waits for a thread cannot pull the client away
     * from it. Freed when the call ends, or by the Cleaner if the executor drops the task.
     */
    private static final class Queued {
        private final Pointer handle;
        private final Release release;
        private final Cleaner.Cleanable cleanable;

        Queued(Pointer handle) {
            this.handle = handle;
            this.release = new Release(handle);
            this.cleanable = CLEANER.register(this, release);
        }

        void free() {
            release.byOwner = true;
            cleanable.clean();
        }
    }

    private BlooioClient(Pointer handle) {
        this.handle = handle;
        this.release = new Release(handle);
        this.cleanable = CLEANER.register(this, release);
    }

    /** A builder; whatever it is not given comes from the environment, then the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A client configured from {@code BLOOIO_API_KEY} and {@code BLOOIO_BASE_URL} and the
     * defaults; {@link InvalidConfigException} when there is no key.
     */
    public static BlooioClient fromEnv() {
        return builder().build();
    }

    /** The version of the loaded libblooio, such as {@code "0.1.0"}. */
    public static String libraryVersion() {
        return Native.string(Native.lib().blooio_version());
    }

    /** {@code GET /chats/{chatId}/background}: the chat's current background. */
    public ChatBackground getChatBackground(String chatId) {
        byte[] id = Native.cString("chat_id", chatId);
        return call((h, out, err) -> Native.lib().blooio_get_chat_background(h, id, out, err));
    }

    /**
     * {@code PUT /chats/{chatId}/background} with an image file, streamed from disk (and
     * re-read if the upload is retried). The format is judged from the bytes: JPEG, PNG, GIF,
     * WebP, HEIC or HEIF, at most 10 MiB.
     */
    public ChatBackground setChatBackground(String chatId, Path image) {
        byte[] id = Native.cString("chat_id", chatId);
        byte[] path = image == null ? null : Native.cString("path", image.toString());
        return call((h, out, err) -> Native.lib().blooio_set_chat_background_file(h, id, path, out, err));
    }

    /**
     * {@code PUT /chats/{chatId}/background} with image bytes (read during the call only). The
     * format is judged from the bytes: JPEG, PNG, GIF, WebP, HEIC or HEIF, at most 10 MiB.
     */
    public ChatBackground setChatBackground(String chatId, byte[] image) {
        byte[] id = Native.cString("chat_id", chatId);
        long len = image == null ? 0 : image.length;
        return call((h, out, err) -> Native.lib().blooio_set_chat_background_bytes(h, id, image, len, out, err));
    }

    /**
     * {@link #getChatBackground} on libblooio's own threads ({@code blooio_*_async}): no Java
     * thread waits on the network, so thousands may be in flight at once.
     *
     * <p>The future completes on a thread of the library's: stages added with the
     * non-{@code Async} methods run there too and delay the calls queued behind them, so hand
     * heavy work to an executor of your own ({@code thenApplyAsync(f, executor)}). Closing the
     * client while the call runs does not fail it (the library keeps what the call needs).
     * Cancelling the future does not stop the request yet (the C API has no cancellation): the
     * call runs to its end and its result is dropped.
     */
    public CompletableFuture<ChatBackground> getChatBackgroundAsync(String chatId) {
        return onLibraryThreads(() -> {
            byte[] id = Native.cString("chat_id", chatId);
            return (h, cb, user, err) -> Native.lib().blooio_get_chat_background_async(h, id, null, cb, user, err);
        });
    }

    /** {@link #getChatBackground} on {@code executor}; cancelling does not stop the request yet. */
    public CompletableFuture<ChatBackground> getChatBackgroundAsync(String chatId, Executor executor) {
        return async(executor, () -> {
            byte[] id = Native.cString("chat_id", chatId);
            return (h, out, err) -> Native.lib().blooio_get_chat_background(h, id, out, err);
        });
    }

    /** {@link #setChatBackground(String, Path)} on libblooio's threads; see {@link #getChatBackgroundAsync(String)}. */
    public CompletableFuture<ChatBackground> setChatBackgroundAsync(String chatId, Path image) {
        return onLibraryThreads(() -> {
            byte[] id = Native.cString("chat_id", chatId);
            byte[] path = image == null ? null : Native.cString("path", image.toString());
            return (h, cb, user, err) -> Native.lib().blooio_set_chat_background_file_async(h, id, path, null, cb, user, err);
        });
    }

    /** {@link #setChatBackground(String, Path)} on {@code executor}; cancelling does not stop the request yet. */
    public CompletableFuture<ChatBackground> setChatBackgroundAsync(String chatId, Path image, Executor executor) {
        return async(executor, () -> {
            byte[] id = Native.cString("chat_id", chatId);
            byte[] path = image == null ? null : Native.cString("path", image.toString());
            return (h, out, err) -> Native.lib().blooio_set_chat_background_file(h, id, path, out, err);
        });
    }

    /**
     * {@link #setChatBackground(String, byte[])} on libblooio's threads; see
     * {@link #getChatBackgroundAsync(String)}. The library copies the bytes before this returns,
     * so the caller may reuse the array at once.
     */
    public CompletableFuture<ChatBackground> setChatBackgroundAsync(String chatId, byte[] image) {
        return onLibraryThreads(() -> {
            byte[] id = Native.cString("chat_id", chatId);
            long len = image == null ? 0 : image.length;
            return (h, cb, user, err) -> Native.lib().blooio_set_chat_background_bytes_async(h, id, image, len, null, cb, user,
                    err);
        });
    }

    /** {@link #setChatBackground(String, byte[])} on {@code executor}, with the bytes copied first. */
    public CompletableFuture<ChatBackground> setChatBackgroundAsync(String chatId, byte[] image, Executor executor) {
        byte[] copy = image == null ? null : image.clone();
        return async(executor, () -> {
            byte[] id = Native.cString("chat_id", chatId);
            long len = copy == null ? 0 : copy.length;
            return (h, out, err) -> Native.lib().blooio_set_chat_background_bytes(h, id, copy, len, out, err);
        });
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Frees the native client. Calls already running finish (libblooio keeps what they need
     * until the last one ends); calls made afterwards throw {@link InvalidArgumentException}.
     * Closing again does nothing.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            release.byOwner = true;
            cleanable.clean();
        }
    }

    @Override
    public String toString() {
        return "BlooioClient[" + (closed.get() ? "closed" : "open") + "]";
    }

    @FunctionalInterface
    private interface NativeCall {
        int invoke(Pointer client, PointerByReference backgroundOut, PointerByReference error);
    }

    @FunctionalInterface
    private interface Prepared {
        /** Checks and converts the arguments (throwing before anything is queued). */
        NativeCall prepare();
    }

    private ChatBackground call(NativeCall call) {
        try {
            if (closed.get()) {
                throw closedError();
            }
            return invoke(handle, call);
        } finally {
            // Until the native call has returned, this client must not look unreachable, or
            // the Cleaner could free it under the call.
            Reference.reachabilityFence(this);
        }
    }

    private static BlooioException closedError() {
        return Errors.local(Status.INVALID_ARGUMENT, "the client is closed");
    }

    private static ChatBackground invoke(Pointer client, NativeCall call) {
        PointerByReference out = new PointerByReference();
        PointerByReference error = new PointerByReference();
        int status = call.invoke(client, out, error);
        if (status != 0) {
            throw Errors.take(status, error.getValue());
        }
        return ChatBackground.take(out.getValue());
    }

    /**
     * Queues a call on {@code executor} with a handle of its own. Bad arguments and a closed
     * client fail the future at once; a future cancelled before its turn comes never calls.
     */
    private CompletableFuture<ChatBackground> async(Executor executor, Prepared prepared) {
        Objects.requireNonNull(executor, "executor");
        NativeCall call;
        Queued queued;
        try {
            call = prepared.prepare();
            queued = new Queued(cloneHandle());
        } catch (BlooioException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<ChatBackground> future = new CompletableFuture<>();
        Runnable task = () -> {
            // The handle goes back before the future completes, so whoever waits on it sees
            // nothing of the call left.
            ChatBackground result = null;
            Throwable failure = null;
            try {
                if (future.isDone()) {
                    return; // cancelled before its turn
                }
                result = invoke(queued.handle, call);
            } catch (Throwable t) {
                failure = t;
            } finally {
                queued.free();
            }
            if (failure != null) {
                future.completeExceptionally(failure);
            } else {
                future.complete(result);
            }
        };
        try {
            executor.execute(task);
        } catch (RuntimeException e) {
            queued.free();
            throw e;
        }
        return future;
    }

    @FunctionalInterface
    private interface AsyncCall {
        int submit(Pointer client, BlooioLibrary.BackgroundCallback callback, Pointer userData, PointerByReference error);
    }

    @FunctionalInterface
    private interface PreparedAsync {
        /** Checks and converts the arguments (throwing before anything is submitted). */
        AsyncCall prepare();
    }

    /** The futures of calls in flight on libblooio's threads, by the id passed as user_data. */
    private static final ConcurrentHashMap<Long, CompletableFuture<ChatBackground>> PENDING = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT_CALL = new AtomicLong(1);
    /** The one callback of every async call; a static field keeps JNA from collecting it. */
    private static final BlooioLibrary.BackgroundCallback COMPLETE = (userData, status, background, error) -> {
        CompletableFuture<ChatBackground> future = PENDING.remove(Pointer.nativeValue(userData));
        try {
            // Taken (and so freed) whether or not anyone still waits for the result.
            if (status != 0) {
                BlooioException e = Errors.take(status, error);
                if (future != null) {
                    future.completeExceptionally(e);
                }
            } else {
                ChatBackground result = ChatBackground.take(background);
                if (future != null) {
                    future.complete(result);
                }
            }
        } catch (Throwable t) {
            if (future != null) {
                future.completeExceptionally(t);
            }
        }
    };

    static {
        // The library's threads as Java sees them when they call back: daemon (they never keep
        // the JVM alive), named, and left attached between calls (attaching costs more).
        com.sun.jna.Native.setCallbackThreadInitializer(COMPLETE,
                new com.sun.jna.CallbackThreadInitializer(true, false, "blooio-async"));
    }

    /**
     * Submits a call to libblooio's own threads. Bad arguments and a closed client fail the
     * future at once, with nothing submitted.
     */
    private CompletableFuture<ChatBackground> onLibraryThreads(PreparedAsync prepared) {
        CompletableFuture<ChatBackground> future = new CompletableFuture<>();
        long id = NEXT_CALL.getAndIncrement();
        try {
            AsyncCall call = prepared.prepare();
            if (closed.get()) {
                throw closedError();
            }
            PENDING.put(id, future);
            PointerByReference error = new PointerByReference();
            int status = call.submit(handle, COMPLETE, new Pointer(id), error);
            if (status != 0) {
                PENDING.remove(id);
                throw Errors.take(status, error.getValue());
            }
        } catch (BlooioException e) {
            future.completeExceptionally(e);
        } finally {
            Reference.reachabilityFence(this);
        }
        return future;
    }

    private Pointer cloneHandle() {
        try {
            if (closed.get()) {
                throw closedError();
            }
            PointerByReference out = new PointerByReference();
            PointerByReference error = new PointerByReference();
            int status = Native.lib().blooio_client_clone(handle, out, error);
            if (status != 0) {
                throw Errors.take(status, error.getValue());
            }
            return Native.taken(Native.Kind.CLIENT, out.getValue());
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return runnable -> {
            Thread t = new Thread(runnable, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Settings for {@link #build()}. Whatever is not set comes from the environment
     * ({@code BLOOIO_API_KEY}, {@code BLOOIO_BASE_URL}), then the defaults: timeout 60 s,
     * connect timeout 5 s, 2 retries. Every value is checked by the library when the client is
     * built, and nothing is sent then.
     */
    public static final class Builder {
        private String apiKey;
        private String baseUrl;
        private Duration timeout;
        private Duration connectTimeout;
        private Integer maxRetries;
        private String userAgentSuffix;
        private Boolean allowInsecureHttp;
        private String caFile;
        private String proxy;
        private Boolean platformVerifier;

        private Builder() {}

        /** The API key, sent as {@code Authorization: Bearer <key>}; never shown in any message. */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /** The API's base URL, such as {@code https://api.blooio.com/v2/api}. */
        public Builder baseUrl(String baseUrl) {
            this.baseUrl = baseUrl;
            return this;
        }

        /** How long one attempt may take, connecting to the last byte (whole milliseconds). */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** How long opening a connection may take (whole milliseconds). */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        /** How many times a failed attempt is retried when that is safe; 0 turns retries off. */
        public Builder maxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
            return this;
        }

        /** A token appended to the User-Agent ({@code blooio-java/VERSION}), such as {@code my-app/1.2}. */
        public Builder userAgentSuffix(String userAgentSuffix) {
            this.userAgentSuffix = userAgentSuffix;
            return this;
        }

        /**
         * Allows a plain {@code http://} base URL on a host that is not loopback: the key then
         * travels in clear text. Loopback hosts never need it.
         */
        public Builder allowInsecureHttp(boolean allow) {
            this.allowInsecureHttp = allow;
            return this;
        }

        /**
         * Trust exactly the CA certificates in this PEM bundle (wins over {@code SSL_CERT_FILE}
         * and {@code SSL_CERT_DIR}); a file that is missing or holds no certificate is an
         * {@link InvalidConfigException} naming it.
         */
        public Builder caFile(java.nio.file.Path caFile) {
            this.caFile = caFile.toString();
            return this;
        }

        /** Sends every request through this HTTP proxy (CONNECT for https), even to loopback hosts. */
        public Builder proxy(String proxy) {
            this.proxy = proxy;
            return this;
        }

        /** Verifies with the operating system's verifier and trust store instead of the bundled roots. */
        public Builder platformVerifier(boolean on) {
            this.platformVerifier = on;
            return this;
        }

        /**
         * Creates the client: {@link InvalidConfigException} for an unusable configuration,
         * {@link InvalidArgumentException} for a value out of range. Nothing is sent.
         */
        public BlooioClient build() {
            BlooioLibrary lib = Native.lib();
            PointerByReference error = new PointerByReference();
            PointerByReference out = new PointerByReference();
            check(lib.blooio_options_new(out, error), error);
            Pointer options = Native.taken(Native.Kind.OPTIONS, out.getValue());
            try {
                if (apiKey != null) {
                    check(lib.blooio_options_set_api_key(options, Native.cString("apiKey", apiKey), error), error);
                }
                if (baseUrl != null) {
                    check(lib.blooio_options_set_base_url(options, Native.cString("baseUrl", baseUrl), error), error);
                }
                if (timeout != null) {
                    check(lib.blooio_options_set_timeout_ms(options, millis("timeout", timeout), error), error);
                }
                if (connectTimeout != null) {
                    check(lib.blooio_options_set_connect_timeout_ms(options, millis("connectTimeout", connectTimeout),
                            error), error);
                }
                if (maxRetries != null) {
                    if (maxRetries < 0) {
                        // uint32_t in C: a negative int would arrive as some four billion.
                        throw Errors.local(Status.INVALID_ARGUMENT, "maxRetries must not be negative, got " + maxRetries);
                    }
                    check(lib.blooio_options_set_max_retries(options, maxRetries, error), error);
                }
                // The User-Agent names this binding: blooio-java/<version>.
                check(lib.blooio_options_set_binding(options, Native.cString("binding", "java"), error), error);
                if (userAgentSuffix != null) {
                    check(lib.blooio_options_set_user_agent_suffix(options,
                            Native.cString("userAgentSuffix", userAgentSuffix), error), error);
                }
                if (allowInsecureHttp != null) {
                    check(lib.blooio_options_set_allow_insecure_http(options, allowInsecureHttp, error), error);
                }
                if (caFile != null) {
                    check(lib.blooio_options_set_ca_file(options, Native.cString("caFile", caFile), error), error);
                }
                if (proxy != null) {
                    check(lib.blooio_options_set_proxy(options, Native.cString("proxy", proxy), error), error);
                }
                if (platformVerifier != null) {
                    check(lib.blooio_options_set_platform_verifier(options, platformVerifier, error), error);
                }
                PointerByReference client = new PointerByReference();
                check(lib.blooio_client_new(options, client, error), error);
                return new BlooioClient(Native.taken(Native.Kind.CLIENT, client.getValue()));
            } finally {
                lib.blooio_options_free(options);
                Native.released(Native.Kind.OPTIONS, options);
            }
        }

        private static long millis(String name, Duration d) {
            if (d.isNegative()) {
                // uint64_t in C: a negative number would arrive as a huge one.
                throw Errors.local(Status.INVALID_ARGUMENT, name + " must not be negative, got " + d);
            }
            try {
                return d.toMillis();
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE; // more than the library accepts: it says so, naming the limit
            }
        }

        private static void check(int status, PointerByReference error) {
            if (status != 0) {
                throw Errors.take(status, error.getValue());
            }
        }
    }
}
