package io.blooionative;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import io.blooionative.internal.BlooioLibrary;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
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
    /** The id of this client's {@link LogSink}, 0 without a logger. */
    private final long logId;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Release release;
    private final Cleaner.Cleanable cleanable;

    /** Frees one native client handle exactly once: when its owner is done, or from the Cleaner. */
    private static final class Release implements Runnable {
        private final Pointer handle;
        private final long logId;
        private volatile boolean byOwner;

        Release(Pointer handle, long logId) {
            this.handle = handle;
            this.logId = logId;
            retainLog(logId);
        }

        @Override
        public void run() {
            Native.lib().blooio_client_free(handle);
            Native.released(Native.Kind.CLIENT, handle);
            releaseLog(logId);
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

        Queued(Pointer handle, long logId) {
            this.handle = handle;
            this.release = new Release(handle, logId);
            this.cleanable = CLEANER.register(this, release);
        }

        void free() {
            release.byOwner = true;
            cleanable.clean();
        }
    }

    private BlooioClient(Pointer handle, long logId) {
        this.handle = handle;
        this.logId = logId;
        this.release = new Release(handle, logId);
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
        return getChatBackground(chatId, CallOptions.NONE);
    }

    /** {@link #getChatBackground(String)} with per-call options (a progress listener is never called: a get sends no body). */
    public ChatBackground getChatBackground(String chatId, CallOptions options) {
        byte[] id = Native.cString("chat_id", chatId);
        return call(options, (h, o, out, err) -> Native.lib().blooio_get_chat_background_with_options(h, id, o, out, err));
    }

    /**
     * {@code PUT /chats/{chatId}/background} with an image file, streamed from disk (and
     * re-read if the upload is retried). The format is judged from the bytes: JPEG, PNG, GIF,
     * WebP, HEIC or HEIF, at most 10 MiB.
     */
    public ChatBackground setChatBackground(String chatId, Path image) {
        return setChatBackground(chatId, image, CallOptions.NONE);
    }

    /** {@link #setChatBackground(String, Path)} with per-call options. */
    public ChatBackground setChatBackground(String chatId, Path image, CallOptions options) {
        byte[] id = Native.cString("chat_id", chatId);
        byte[] path = image == null ? null : Native.cString("path", image.toString());
        return call(options,
                (h, o, out, err) -> Native.lib().blooio_set_chat_background_file_with_options(h, id, path, o, out, err));
    }

    /**
     * {@code PUT /chats/{chatId}/background} with image bytes (read during the call only). The
     * format is judged from the bytes: JPEG, PNG, GIF, WebP, HEIC or HEIF, at most 10 MiB.
     */
    public ChatBackground setChatBackground(String chatId, byte[] image) {
        return setChatBackground(chatId, image, CallOptions.NONE);
    }

    /** {@link #setChatBackground(String, byte[])} with per-call options. */
    public ChatBackground setChatBackground(String chatId, byte[] image, CallOptions options) {
        byte[] id = Native.cString("chat_id", chatId);
        long len = image == null ? 0 : image.length;
        return call(options,
                (h, o, out, err) -> Native.lib().blooio_set_chat_background_bytes_with_options(h, id, image, len, o, out, err));
    }

    /**
     * {@link #getChatBackground} on libblooio's own threads ({@code blooio_*_async}): no Java
     * thread waits on the network, so thousands may be in flight at once.
     *
     * <p>The future completes on a thread of the library's: stages added with the
     * non-{@code Async} methods run there too and delay the calls queued behind them, so hand
     * heavy work to an executor of your own ({@code thenApplyAsync(f, executor)}). Closing the
     * client while the call runs does not fail it (the library keeps what the call needs).
     * Cancelling the future ({@code cancel(true)} or {@code cancel(false)}: a
     * {@code CompletableFuture} ignores the flag) stops the request itself within about 100 ms
     * and closes its connection; the future then holds a {@code CancellationException}.
     */
    public CompletableFuture<ChatBackground> getChatBackgroundAsync(String chatId) {
        return getChatBackgroundAsync(chatId, CallOptions.NONE);
    }

    /** {@link #getChatBackgroundAsync(String)} with per-call options. */
    public CompletableFuture<ChatBackground> getChatBackgroundAsync(String chatId, CallOptions options) {
        return onLibraryThreads(options, () -> {
            byte[] id = Native.cString("chat_id", chatId);
            return (h, o, cb, user, err) -> Native.lib().blooio_get_chat_background_async(h, id, o, cb, user, err);
        });
    }

    /** {@link #getChatBackground} on {@code executor}; cancelling the future stops the request. */
    public CompletableFuture<ChatBackground> getChatBackgroundAsync(String chatId, Executor executor) {
        return getChatBackgroundAsync(chatId, CallOptions.NONE, executor);
    }

    /** {@link #getChatBackground(String, CallOptions)} on {@code executor}; cancelling the future stops the request. */
    public CompletableFuture<ChatBackground> getChatBackgroundAsync(String chatId, CallOptions options, Executor executor) {
        return async(executor, options, () -> {
            byte[] id = Native.cString("chat_id", chatId);
            return (h, o, out, err) -> Native.lib().blooio_get_chat_background_with_options(h, id, o, out, err);
        });
    }

    /** {@link #setChatBackground(String, Path)} on libblooio's threads; see {@link #getChatBackgroundAsync(String)}. */
    public CompletableFuture<ChatBackground> setChatBackgroundAsync(String chatId, Path image) {
        return setChatBackgroundAsync(chatId, image, CallOptions.NONE);
    }

    /**
     * {@link #setChatBackgroundAsync(String, Path)} with per-call options; a progress listener
     * runs on the library's thread that runs the call.
     */
    public CompletableFuture<ChatBackground> setChatBackgroundAsync(String chatId, Path image, CallOptions options) {
        return onLibraryThreads(options, () -> {
            byte[] id = Native.cString("chat_id", chatId);
            byte[] path = image == null ? null : Native.cString("path", image.toString());
            return (h, o, cb, user, err) -> Native.lib().blooio_set_chat_background_file_async(h, id, path, o, cb, user,
                    err);
        });
    }

    /** {@link #setChatBackground(String, Path)} on {@code executor}; cancelling the future stops the request. */
    public CompletableFuture<ChatBackground> setChatBackgroundAsync(String chatId, Path image, Executor executor) {
        return setChatBackgroundAsync(chatId, image, CallOptions.NONE, executor);
    }

    /** {@link #setChatBackground(String, Path, CallOptions)} on {@code executor}. */
    public CompletableFuture<ChatBackground> setChatBackgroundAsync(String chatId, Path image, CallOptions options,
            Executor executor) {
        return async(executor, options, () -> {
            byte[] id = Native.cString("chat_id", chatId);
            byte[] path = image == null ? null : Native.cString("path", image.toString());
            return (h, o, out, err) -> Native.lib().blooio_set_chat_background_file_with_options(h, id, path, o, out, err);
        });
    }

    /**
     * {@link #setChatBackground(String, byte[])} on libblooio's threads; see
     * {@link #getChatBackgroundAsync(String)}. The library copies the bytes before this returns,
     * so the caller may reuse the array at once.
     */
    public CompletableFuture<ChatBackground> setChatBackgroundAsync(String chatId, byte[] image) {
        return setChatBackgroundAsync(chatId, image, CallOptions.NONE);
    }

    /** {@link #setChatBackgroundAsync(String, byte[])} with per-call options. */
    public CompletableFuture<ChatBackground> setChatBackgroundAsync(String chatId, byte[] image, CallOptions options) {
        return onLibraryThreads(options, () -> {
            byte[] id = Native.cString("chat_id", chatId);
            long len = image == null ? 0 : image.length;
            return (h, o, cb, user, err) -> Native.lib().blooio_set_chat_background_bytes_async(h, id, image, len, o, cb,
                    user, err);
        });
    }

    /** {@link #setChatBackground(String, byte[])} on {@code executor}, with the bytes copied first. */
    public CompletableFuture<ChatBackground> setChatBackgroundAsync(String chatId, byte[] image, Executor executor) {
        return setChatBackgroundAsync(chatId, image, CallOptions.NONE, executor);
    }

    /** {@link #setChatBackground(String, byte[], CallOptions)} on {@code executor}, with the bytes copied first. */
    public CompletableFuture<ChatBackground> setChatBackgroundAsync(String chatId, byte[] image, CallOptions options,
            Executor executor) {
        byte[] copy = image == null ? null : image.clone();
        return async(executor, options, () -> {
            byte[] id = Native.cString("chat_id", chatId);
            long len = copy == null ? 0 : copy.length;
            return (h, o, out, err) -> Native.lib().blooio_set_chat_background_bytes_with_options(h, id, copy, len, o, out,
                    err);
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
        int invoke(Pointer client, Pointer callOptions, PointerByReference backgroundOut, PointerByReference error);
    }

    @FunctionalInterface
    private interface Prepared {
        /** Checks and converts the arguments (throwing before anything is queued). */
        NativeCall prepare();
    }

    /**
     * One call in flight: what its callbacks need, found by the id passed to C as user_data
     * (the callbacks are static, so JNA never collects them while the library may call them).
     * An async call has a cancel token of its own, cancelled by its future's {@code cancel}
     * and by the caller's {@link CancelToken}, and freed when the call ends.
     */
    static final class InFlight {
        final long id = NEXT_CALL.getAndIncrement();
        final CallOptions options;
        final ProgressListener progress;
        /** What the progress listener threw, which the call then throws. */
        volatile Throwable thrown;
        CompletableFuture<ChatBackground> future;
        private Pointer token;
        private volatile boolean linked;

        InFlight(CallOptions options) {
            this.options = options == null ? CallOptions.NONE : options;
            this.progress = this.options.progress().orElse(null);
        }

        /** Gives the call a token of its own (async calls), linked to the caller's token. */
        void ownToken() {
            Pointer created = CancelToken.newHandle();
            synchronized (this) {
                token = Native.taken(Native.Kind.CANCEL_TOKEN, created);
            }
            options.cancelToken().ifPresent(t -> {
                linked = true;
                t.link(this);
            });
        }

        synchronized void cancelNative() {
            if (token != null) {
                Native.lib().blooio_cancel_token_cancel(token);
            }
        }

        /** The call has ended: its token goes back, and the caller's token forgets it. */
        void finish() {
            if (linked) {
                options.cancelToken().ifPresent(t -> t.unlink(this));
            }
            synchronized (this) {
                if (token != null) {
                    Native.lib().blooio_cancel_token_free(token);
                    Native.released(Native.Kind.CANCEL_TOKEN, token);
                    token = null;
                }
            }
        }

        /**
         * This call's {@code blooio_call_options}, or null when it has none; the caller frees
         * it ({@link #freeOptions}) right after the call or submit (the call copies it).
         */
        Pointer nativeOptions() {
            Pointer ownToken;
            synchronized (this) {
                ownToken = token;
            }
            if (options.isEmpty() && ownToken == null) {
                return null;
            }
            BlooioLibrary lib = Native.lib();
            PointerByReference out = new PointerByReference();
            PointerByReference error = new PointerByReference();
            check(lib.blooio_call_options_new(out, error), error);
            Pointer opts = Native.taken(Native.Kind.CALL_OPTIONS, out.getValue());
            try {
                if (options.timeout().isPresent()) {
                    check(lib.blooio_call_options_set_timeout_ms(opts, Builder.millis("timeout", options.timeout().get()),
                            error), error);
                }
                for (java.util.Map.Entry<String, String> h : options.headers()) {
                    check(lib.blooio_call_options_add_header(opts, Native.cString("header name", h.getKey()),
                            Native.cString("the value of header " + h.getKey(), h.getValue()), error), error);
                }
                if (progress != null) {
                    check(lib.blooio_call_options_set_progress(opts, PROGRESS, new Pointer(id), error), error);
                }
                if (ownToken != null) {
                    check(lib.blooio_call_options_set_cancel_token(opts, ownToken, error), error);
                } else if (options.cancelToken().isPresent()) {
                    CancelToken t = options.cancelToken().get();
                    try {
                        check(lib.blooio_call_options_set_cancel_token(opts, t.handle(), error), error);
                    } finally {
                        Reference.reachabilityFence(t);
                    }
                }
                return opts;
            } catch (RuntimeException e) {
                freeOptions(opts);
                throw e;
            }
        }

        /**
         * The exception for a failed call: what the progress listener threw, if it stopped the
         * call so; else the library's error (which is freed either way).
         */
        Throwable failure(int status, Pointer error) {
            BlooioException e = Errors.take(status, error);
            Throwable t = thrown;
            if (t == null) {
                return e;
            }
            if (t instanceof RuntimeException || t instanceof Error) {
                return t;
            }
            e.initCause(t); // a checked exception thrown sneakily: carried as the cause
            return e;
        }
    }

    private static void freeOptions(Pointer opts) {
        if (opts != null) {
            Native.lib().blooio_call_options_free(opts);
            Native.released(Native.Kind.CALL_OPTIONS, opts);
        }
    }

    private static void check(int status, PointerByReference error) {
        if (status != 0) {
            throw Errors.take(status, error.getValue());
        }
    }

    /** A future that stops its call's request when cancelled. */
    private static final class CallFuture extends CompletableFuture<ChatBackground> {
        private final InFlight call;

        CallFuture(InFlight call) {
            this.call = call;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                call.cancelNative();
            }
            return cancelled;
        }
    }

    /** The calls in flight whose callbacks may come (async calls, and calls with a listener). */
    private static final ConcurrentHashMap<Long, InFlight> CALLS = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT_CALL = new AtomicLong(1);

    /** Async calls whose native side has not reported yet (for tests). */
    static int callsInFlight() {
        return CALLS.size();
    }

    /** The one progress callback of every call; a static field keeps JNA from collecting it. */
    private static final BlooioLibrary.ProgressCallback PROGRESS = (userData, sent, total) -> {
        InFlight call = CALLS.get(Pointer.nativeValue(userData));
        if (call == null || call.progress == null) {
            return 1;
        }
        try {
            return call.progress.onProgress(sent, total) ? (byte) 1 : (byte) 0;
        } catch (Throwable t) {
            // No exception may cross into C: kept, the upload stopped, and the call throws it.
            call.thrown = t;
            return 0;
        }
    };

    private ChatBackground call(CallOptions options, NativeCall call) {
        InFlight state = new InFlight(options);
        try {
            if (closed.get()) {
                throw closedError();
            }
            return invoke(handle, call, state);
        } finally {
            // Until the native call has returned, this client must not look unreachable, or
            // the Cleaner could free it under the call.
            Reference.reachabilityFence(this);
        }
    }

    private static BlooioException closedError() {
        return Errors.local(Status.INVALID_ARGUMENT, "the client is closed");
    }

    private static ChatBackground invoke(Pointer client, NativeCall call, InFlight state) {
        Pointer opts = state.nativeOptions();
        if (state.progress != null) {
            CALLS.put(state.id, state);
        }
        try {
            PointerByReference out = new PointerByReference();
            PointerByReference error = new PointerByReference();
            int status = call.invoke(client, opts, out, error);
            if (status != 0) {
                throw sneaky(state.failure(status, error.getValue()));
            }
            return ChatBackground.take(out.getValue());
        } finally {
            CALLS.remove(state.id);
            freeOptions(opts);
        }
    }

    private static RuntimeException sneaky(Throwable t) {
        if (t instanceof Error) {
            throw (Error) t;
        }
        return (RuntimeException) t; // failure() returns only unchecked exceptions
    }

    /**
     * Queues a call on {@code executor} with a handle of its own. Bad arguments and a closed
     * client fail the future at once; a future cancelled before its turn comes never calls,
     * and one cancelled during the call stops the request.
     */
    private CompletableFuture<ChatBackground> async(Executor executor, CallOptions options, Prepared prepared) {
        Objects.requireNonNull(executor, "executor");
        NativeCall call;
        Queued queued;
        InFlight state = new InFlight(options);
        try {
            call = prepared.prepare();
            queued = new Queued(cloneHandle(), logId);
        } catch (BlooioException e) {
            return CompletableFuture.failedFuture(e);
        }
        try {
            state.ownToken();
        } catch (BlooioException e) {
            queued.free();
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<ChatBackground> future = new CallFuture(state);
        Runnable task = () -> {
            // The handle and token go back before the future completes, so whoever waits on it
            // sees nothing of the call left.
            ChatBackground result = null;
            Throwable failure = null;
            try {
                if (future.isDone()) {
                    return; // cancelled before its turn
                }
                result = invoke(queued.handle, call, state);
            } catch (Throwable t) {
                failure = t;
            } finally {
                queued.free();
                state.finish();
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
            state.finish();
            throw e;
        }
        return future;
    }

    @FunctionalInterface
    private interface AsyncCall {
        int submit(Pointer client, Pointer callOptions, BlooioLibrary.BackgroundCallback callback, Pointer userData,
                PointerByReference error);
    }

    @FunctionalInterface
    private interface PreparedAsync {
        /** Checks and converts the arguments (throwing before anything is submitted). */
        AsyncCall prepare();
    }

    /** The one callback of every async call; a static field keeps JNA from collecting it. */
    private static final BlooioLibrary.BackgroundCallback COMPLETE = (userData, status, background, error) -> {
        InFlight call = CALLS.remove(Pointer.nativeValue(userData));
        CompletableFuture<ChatBackground> future = call == null ? null : call.future;
        ChatBackground result = null;
        Throwable failure = null;
        try {
            // Taken (and so freed) whether or not anyone still waits for the result.
            if (status != 0) {
                failure = call != null ? call.failure(status, error) : Errors.take(status, error);
            } else {
                result = ChatBackground.take(background);
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            if (call != null) {
                call.finish();
            }
        }
        if (future != null) {
            if (failure != null) {
                future.completeExceptionally(failure);
            } else {
                future.complete(result);
            }
        }
    };

    /** The one log callback of every client; user_data names its {@link LogSink}. */
    private static final BlooioLibrary.LogCallback LOG = (userData, level, line) -> {
        LogSink sink = BlooioClient.LOG_SINKS.get(Pointer.nativeValue(userData));
        if (sink == null) {
            return; // the client is gone (a call still ran after close): the line is dropped
        }
        System.Logger.Level l = level == BlooioLibrary.LOG_LEVEL_DEBUG ? System.Logger.Level.DEBUG
                : System.Logger.Level.INFO;
        try {
            if (sink.logger.isLoggable(l)) {
                sink.logger.log(l, Native.string(line));
            }
        } catch (Throwable ignored) {
            // A failing logger must not fail the call, and nothing may cross into C.
        }
    };

    /** A client's logger, kept while any handle of the client (its own, or a queued call's) lives. */
    private static final class LogSink {
        final System.Logger logger;
        final AtomicInteger handles = new AtomicInteger();

        LogSink(System.Logger logger) {
            this.logger = logger;
        }
    }

    private static final ConcurrentHashMap<Long, LogSink> LOG_SINKS = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT_LOG_SINK = new AtomicLong(1);

    private static void retainLog(long logId) {
        if (logId != 0) {
            LOG_SINKS.get(logId).handles.incrementAndGet();
        }
    }

    private static void releaseLog(long logId) {
        if (logId != 0) {
            LOG_SINKS.computeIfPresent(logId, (k, sink) -> sink.handles.decrementAndGet() == 0 ? null : sink);
        }
    }

    static {
        // The library's threads as Java sees them when they call back: daemon (they never keep
        // the JVM alive), named, and left attached between calls (attaching costs more).
        for (com.sun.jna.Callback cb : new com.sun.jna.Callback[] {COMPLETE, PROGRESS, LOG}) {
            com.sun.jna.Native.setCallbackThreadInitializer(cb,
                    new com.sun.jna.CallbackThreadInitializer(true, false, "blooio-async"));
        }
    }

    /**
     * Submits a call to libblooio's own threads. Bad arguments and a closed client fail the
     * future at once, with nothing submitted.
     */
    private CompletableFuture<ChatBackground> onLibraryThreads(CallOptions options, PreparedAsync prepared) {
        InFlight state = new InFlight(options);
        CallFuture future = new CallFuture(state);
        state.future = future;
        try {
            AsyncCall call = prepared.prepare();
            if (closed.get()) {
                throw closedError();
            }
            state.ownToken();
            Pointer opts = null;
            try {
                opts = state.nativeOptions();
                CALLS.put(state.id, state);
                PointerByReference error = new PointerByReference();
                int status = call.submit(handle, opts, COMPLETE, new Pointer(state.id), error);
                if (status != 0) {
                    CALLS.remove(state.id);
                    throw Errors.take(status, error.getValue());
                }
            } catch (RuntimeException e) {
                state.finish();
                throw e;
            } finally {
                freeOptions(opts);
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
        /** A {@code blooio_options_set_*} function: the C setter of one option, given its C value. */
        @FunctionalInterface
        private interface Setter<V> {
            int apply(BlooioLibrary lib, Pointer options, V value, PointerByReference error);
        }

        /** One option, ready for its C setter: {@link #build()} applies it to the options handle. */
        @FunctionalInterface
        private interface Setting {
            int apply(BlooioLibrary lib, Pointer options, PointerByReference error);
        }

        // The options set so far, by name, in the order they were first set. A later value of an
        // option replaces the earlier one; null unsets it.
        private final Map<String, Setting> settings = new LinkedHashMap<>();
        private final java.util.List<java.util.Map.Entry<String, String>> defaultHeaders = new java.util.ArrayList<>();
        private System.Logger logger;

        private Builder() {}

        /**
         * Sets (null: unsets) an option. When the client is built, {@code toC} checks the value
         * and turns it into the C setter's argument (naming the option in its error), and
         * {@code setter} passes it to the library.
         */
        private <T, V> Builder set(String option, T value, BiFunction<String, T, V> toC, Setter<V> setter) {
            if (value == null) {
                settings.remove(option);
            } else {
                settings.put(option,
                        (lib, options, error) -> setter.apply(lib, options, toC.apply(option, value), error));
            }
            return this;
        }

        /** The API key, sent as {@code Authorization: Bearer <key>}; never shown in any message. */
        public Builder apiKey(String apiKey) {
            return set("apiKey", apiKey, Native::cString, BlooioLibrary::blooio_options_set_api_key);
        }

        /** The API's base URL, such as {@code https://api.blooio.com/v2/api}. */
        public Builder baseUrl(String baseUrl) {
            return set("baseUrl", baseUrl, Native::cString, BlooioLibrary::blooio_options_set_base_url);
        }

        /** How long one attempt may take, connecting to the last byte (whole milliseconds). */
        public Builder timeout(Duration timeout) {
            return set("timeout", timeout, Builder::millis, BlooioLibrary::blooio_options_set_timeout_ms);
        }

        /** How long opening a connection may take (whole milliseconds). */
        public Builder connectTimeout(Duration connectTimeout) {
            return set("connectTimeout", connectTimeout, Builder::millis,
                    BlooioLibrary::blooio_options_set_connect_timeout_ms);
        }

        /** How many times a failed attempt is retried when that is safe; 0 turns retries off. */
        public Builder maxRetries(int maxRetries) {
            return set("maxRetries", maxRetries, Builder::count, BlooioLibrary::blooio_options_set_max_retries);
        }

        /** A token appended to the User-Agent ({@code blooio-java/VERSION}), such as {@code my-app/1.2}. */
        public Builder userAgentSuffix(String userAgentSuffix) {
            return set("userAgentSuffix", userAgentSuffix, Native::cString,
                    BlooioLibrary::blooio_options_set_user_agent_suffix);
        }

        /**
         * Allows a plain {@code http://} base URL on a host that is not loopback: the key then
         * travels in clear text. Loopback hosts never need it.
         */
        public Builder allowInsecureHttp(boolean allow) {
            return set("allowInsecureHttp", allow, Builder::flag,
                    BlooioLibrary::blooio_options_set_allow_insecure_http);
        }

        /**
         * Trust exactly the CA certificates in this PEM bundle (wins over {@code SSL_CERT_FILE}
         * and {@code SSL_CERT_DIR}); a file that is missing or holds no certificate is an
         * {@link InvalidConfigException} naming it.
         */
        public Builder caFile(java.nio.file.Path caFile) {
            return set("caFile", caFile.toString(), Native::cString, BlooioLibrary::blooio_options_set_ca_file);
        }

        /** Sends every request through this HTTP proxy (CONNECT for https), even to loopback hosts. */
        public Builder proxy(String proxy) {
            return set("proxy", proxy, Native::cString, BlooioLibrary::blooio_options_set_proxy);
        }

        /** Verifies with the operating system's verifier and trust store instead of the bundled roots. */
        public Builder platformVerifier(boolean on) {
            return set("platformVerifier", on, Builder::flag, BlooioLibrary::blooio_options_set_platform_verifier);
        }

        /**
         * A header sent on every call (repeatable). Wins by name (case-insensitive) over the
         * ones {@code BLOOIO_CUSTOM_HEADERS} lists (lines of {@code Name: value}, which the
         * library reads when the client is built); a call's own
         * {@link CallOptions.Builder#header} wins over both. {@link #build()} throws
         * {@link InvalidConfigException} naming the header, and sends nothing, for a name that
         * is not an HTTP token, a CR, LF or NUL, or a header the library owns (Authorization,
         * Content-Type, Content-Length, Host, Transfer-Encoding).
         */
        public Builder defaultHeader(String name, String value) {
            defaultHeaders.add(java.util.Map.entry(Objects.requireNonNull(name, "header name"),
                    Objects.requireNonNull(value, "header value")));
            return this;
        }

        /**
         * Where the library's log lines go: one {@code INFO} line per HTTP attempt (method, path
         * as sent, status or error kind, elapsed ms, attempt number, request id) and, at
         * {@code DEBUG}, each retry decision and its wait. Never the key, a body, or a header
         * value other than the request id. Usually {@code System.getLogger("io.blooionative")}:
         * by default that is {@code java.util.logging}, and SLF4J or Log4j take it over through
         * their {@code System.LoggerFinder} bridges. The library is asked for debug lines only
         * when the logger is loggable at {@code DEBUG} when the client is built.
         *
         * <p>Without a logger, {@code BLOOIO_LOG=info} or {@code debug} prints the same lines to
         * stderr, each prefixed {@code blooio: }. Lines of calls still running after
         * {@link BlooioClient#close()} are dropped.
         */
        public Builder logger(System.Logger logger) {
            this.logger = Objects.requireNonNull(logger, "logger");
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
            long logId = 0;
            check(lib.blooio_options_new(out, error), error);
            Pointer options = Native.taken(Native.Kind.OPTIONS, out.getValue());
            try {
                // The User-Agent names this binding: blooio-java/<version>.
                check(lib.blooio_options_set_binding(options, Native.cString("binding", "java"), error), error);
                for (Setting setting : settings.values()) {
                    check(setting.apply(lib, options, error), error);
                }
                for (java.util.Map.Entry<String, String> h : defaultHeaders) {
                    check(lib.blooio_options_add_default_header(options, Native.cString("header name", h.getKey()),
                            Native.cString("the value of header " + h.getKey(), h.getValue()), error), error);
                }
                if (logger != null) {
                    logId = NEXT_LOG_SINK.getAndIncrement();
                    LOG_SINKS.put(logId, new LogSink(logger));
                    int level = logger.isLoggable(System.Logger.Level.DEBUG) ? BlooioLibrary.LOG_LEVEL_DEBUG
                            : BlooioLibrary.LOG_LEVEL_INFO;
                    check(lib.blooio_options_set_log_callback(options, level, LOG, new Pointer(logId), error), error);
                }
                PointerByReference client = new PointerByReference();
                check(lib.blooio_client_new(options, client, error), error);
                BlooioClient made = new BlooioClient(Native.taken(Native.Kind.CLIENT, client.getValue()), logId);
                logId = 0; // the client holds it now
                return made;
            } finally {
                if (logId != 0) {
                    LOG_SINKS.remove(logId); // no client was made
                }
                lib.blooio_options_free(options);
                Native.released(Native.Kind.OPTIONS, options);
            }
        }

        /** A count as C's {@code uint32_t} takes it. */
        private static int count(String name, Integer n) {
            if (n < 0) {
                // uint32_t in C: a negative int would arrive as some four billion.
                throw Errors.local(Status.INVALID_ARGUMENT, name + " must not be negative, got " + n);
            }
            return n;
        }

        /** A flag as C's {@code bool} takes it (both values are valid). */
        private static boolean flag(String name, Boolean on) {
            return on;
        }

        static long millis(String name, Duration d) {
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
