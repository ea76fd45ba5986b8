package io.blooionative;

import static io.blooionative.BlooioClientTest.CHAT;
import static io.blooionative.BlooioClientTest.SAMPLE;
import static io.blooionative.BlooioClientTest.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ResourceBundle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issues 12 and 13 in Java, against the emulator: per-call timeout and headers, default
 * headers, refusals with nothing sent, request id and attempts, log lines through a
 * System.Logger, upload progress and listeners that stop it, and cancellation (a token from
 * another thread, a cancelled future) with its latency measured and the connection not reused.
 */
class CallOptionsTest extends EmulatorTest {
    static byte[] image;

    @BeforeAll
    static void readImage() throws IOException {
        image = Files.readAllBytes(SAMPLE);
    }

    @BeforeEach
    void forgetFreedHandles() {
        Freed.reset();
    }

    static BlooioClient.Builder builder() {
        return BlooioClient.builder().apiKey(Emulator.API_KEY).baseUrl(emulator.baseUrl).maxRetries(0);
    }

    @SuppressWarnings("unchecked")
    static List<List<String>> headersOf(Map<String, Object> request) {
        return (List<List<String>>) request.get("headers");
    }

    /** Every value of header {@code name} (case-insensitive) the emulator received in {@code request}. */
    static List<String> header(Map<String, Object> request, String name) {
        List<String> values = new ArrayList<>();
        for (List<String> h : headersOf(request)) {
            if (h.get(0).equalsIgnoreCase(name)) {
                values.add(h.get(1));
            }
        }
        return values;
    }

    static long ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    @Test
    void defaultAndPerCallHeadersReachTheWireAndTheCallsWinByName() {
        long before = Native.liveHandles();
        try (BlooioClient client = builder().defaultHeader("X-Team", "blue").defaultHeader("X-Trace", "client")
                .build()) {
            client.getChatBackground(CHAT);
            CallOptions options = CallOptions.builder().header("x-trace", "call").header("X-Extra", "1")
                    .header("X-Extra", "2").build();
            client.setChatBackground(CHAT, image, options);
        }
        List<Map<String, Object>> requests = emulator.requests();
        assertEquals(2, requests.size());
        assertEquals(List.of("blue"), header(requests.get(0), "x-team"));
        assertEquals(List.of("client"), header(requests.get(0), "x-trace"));
        assertEquals(List.of(), header(requests.get(0), "x-extra"));
        assertEquals(List.of("blue"), header(requests.get(1), "x-team"));
        assertEquals(List.of("call"), header(requests.get(1), "x-trace"), "the call's header replaces the client's");
        assertEquals(List.of("2"), header(requests.get(1), "x-extra"), "a name given twice: the later wins");
        assertEquals(before, Native.liveHandles());
        Freed.checkIncludes(Native.Kind.CALL_OPTIONS, Native.Kind.OPTIONS, Native.Kind.CLIENT);
    }

    @Test
    void badHeadersAreRefusedNamingTheHeaderAndNothingIsSent() {
        long before = Native.liveHandles();
        for (String[] bad : new String[][] {{"Authorization", "Bearer other"}, {"content-type", "text/plain"},
                {"Host", "example.com"}, {"Content-Length", "3"}, {"Transfer-Encoding", "chunked"},
                {"Bad Name", "x"}, {"X-Split", "a\r\nX-Injected: b"}, {"X-Lf", "a\nb"}, {"", "x"}}) {
            InvalidConfigException e = fails(InvalidConfigException.class, Status.INVALID_CONFIG,
                    () -> builder().defaultHeader(bad[0], bad[1]).build().close());
            if (!bad[0].isEmpty()) {
                assertTrue(e.getMessage().toLowerCase().contains(bad[0].toLowerCase()), e.getMessage());
            }
            assertFalse(e.getMessage().contains(Emulator.API_KEY));
            try (BlooioClient client = builder().build()) {
                CallOptions options = CallOptions.builder().header(bad[0], bad[1]).build();
                fails(InvalidConfigException.class, Status.INVALID_CONFIG, () -> client.getChatBackground(CHAT, options));
                fails(InvalidConfigException.class, Status.INVALID_CONFIG,
                        () -> client.setChatBackground(CHAT, image, options));
                CompletableFuture<ChatBackground> f = client.getChatBackgroundAsync(CHAT, options);
                ExecutionException x = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
                assertInstanceOf(InvalidConfigException.class, x.getCause());
            }
        }
        // A NUL cannot be in a C string: the binding refuses it itself.
        try (BlooioClient client = builder().build()) {
            CallOptions nul = CallOptions.builder().header("X-Nul", "a\0b").build();
            fails(InvalidArgumentException.class, Status.INVALID_ARGUMENT, () -> client.getChatBackground(CHAT, nul));
        }
        assertEquals(List.of(), emulator.requests(), "nothing was sent");
        assertEquals(before, Native.liveHandles());
        Freed.check();
    }

    @Test
    void aPerCallTimeoutOverridesTheClientsAgainstASlowAnswer() throws InterruptedException {
        try (BlooioClient client = builder().timeout(Duration.ofSeconds(30)).build()) {
            emulator.script("{\"delay_ms\":3000}");
            long start = System.nanoTime();
            fails(ApiTimeoutException.class, Status.TIMEOUT,
                    () -> client.getChatBackground(CHAT, CallOptions.builder().timeout(Duration.ofMillis(300)).build()));
            long took = ms(start);
            System.out.println("per-call timeout 300 ms against a 3 s answer: failed after " + took + " ms");
            assertTrue(took >= 250 && took < 2000, "took " + took + " ms");
            awaitAborted(0);

            // The client's own timeout still applies to calls without one: this one waits.
            emulator.script("{\"delay_ms\":500}");
            assertTrue(client.getChatBackground(CHAT).chatId().isPresent());

            // Out of range: refused before sending.
            emulator.reset();
            fails(InvalidConfigException.class, Status.INVALID_CONFIG,
                    () -> client.getChatBackground(CHAT, CallOptions.builder().timeout(Duration.ZERO).build()));
            fails(InvalidArgumentException.class, Status.INVALID_ARGUMENT,
                    () -> client.getChatBackground(CHAT, CallOptions.builder().timeout(Duration.ofMillis(-1)).build()));
            fails(InvalidConfigException.class, Status.INVALID_CONFIG,
                    () -> client.getChatBackground(CHAT, CallOptions.builder().timeout(Duration.ofDays(365)).build()));
            assertEquals(List.of(), emulator.requests());
        }
    }

    @Test
    void everySuccessCarriesItsRequestIdAndAttempts() throws Exception {
        try (BlooioClient client = builder().maxRetries(2).build()) {
            ChatBackground set = client.setChatBackground(CHAT, SAMPLE);
            ChatBackground got = client.getChatBackgroundAsync(CHAT).get(10, TimeUnit.SECONDS);
            List<Map<String, Object>> requests = emulator.requests();
            assertEquals(Optional.of((String) requests.get(0).get("request_id")), set.requestId());
            assertEquals(Optional.of((String) requests.get(1).get("request_id")), got.requestId());
            assertEquals(1, set.attempts());
            assertEquals(1, got.attempts());
            assertTrue(set.toString().contains(set.requestId().get()), set.toString());
            assertFalse(set.toJson().contains("request"), "not part of the JSON: " + set.toJson());

            emulator.script("[{\"status\":502},{\"status\":502}]");
            ChatBackground retried = client.getChatBackground(CHAT);
            assertEquals(3, retried.attempts());
            List<Map<String, Object>> all = emulator.requests();
            assertEquals(Optional.of((String) all.get(all.size() - 1).get("request_id")), retried.requestId(),
                    "the id of the answer that succeeded");
            assertEquals(got, retried, "request id and attempts are not part of equals");
        }
    }

    /** A System.Logger that keeps what it is given, loggable at and above {@code level}. */
    static final class Captured implements System.Logger {
        final Level level;
        final List<String> lines = new CopyOnWriteArrayList<>();

        Captured(Level level) {
            this.level = level;
        }

        @Override
        public String getName() {
            return "io.blooionative";
        }

        @Override
        public boolean isLoggable(Level l) {
            return l.getSeverity() >= level.getSeverity();
        }

        @Override
        public void log(Level l, ResourceBundle bundle, String msg, Throwable thrown) {
            lines.add(l + " " + msg);
        }

        @Override
        public void log(Level l, ResourceBundle bundle, String format, Object... params) {
            lines.add(l + " " + format);
        }
    }

    @Test
    void logLinesGoToTheLoggerOnePerAttemptWithoutTheKey() throws Exception {
        Captured info = new Captured(System.Logger.Level.INFO);
        try (BlooioClient client = builder().maxRetries(1).logger(info).defaultHeader("X-Secretish", "hidden-value")
                .build()) {
            client.getChatBackground(CHAT);
            String id = (String) emulator.requests().get(0).get("request_id");
            assertEquals(1, info.lines.size(), info.lines.toString());
            String line = info.lines.get(0);
            assertTrue(line.startsWith("INFO GET /v2/api/chats/%2B15551234567/background -> 200 in "), line);
            assertTrue(line.contains("attempt 1 of 2") && line.contains(id), line);

            emulator.script("{\"status\":502}");
            client.setChatBackground(CHAT, image);
            assertEquals(3, info.lines.size(), "one line per attempt, no debug lines: " + info.lines);
            assertTrue(info.lines.get(1).startsWith("INFO PUT /v2/api/chats/%2B15551234567/background -> 502"),
                    info.lines.get(1));
            // From the library's threads too.
            client.getChatBackgroundAsync(CHAT).get(10, TimeUnit.SECONDS);
            assertEquals(4, info.lines.size());
        }
        Captured debug = new Captured(System.Logger.Level.DEBUG);
        try (BlooioClient client = builder().maxRetries(1).logger(debug).build()) {
            emulator.script("{\"status\":502}");
            client.getChatBackground(CHAT);
        }
        assertTrue(debug.lines.stream().anyMatch(l -> l.startsWith("DEBUG retrying in ") && l.contains("after 502")),
                debug.lines.toString());
        for (String l : concat(info.lines, debug.lines)) {
            assertFalse(l.contains(Emulator.API_KEY) || l.contains("hidden-value") || l.contains("Bearer"), l);
        }
    }

    @Test
    void theJdksDefaultLoggerRoutesTheLinesToJavaUtilLogging() {
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger("io.blooionative");
        List<String> records = new CopyOnWriteArrayList<>();
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                records.add(r.getLevel() + " " + r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        jul.addHandler(handler);
        jul.setUseParentHandlers(false);
        try (BlooioClient client = builder().logger(System.getLogger("io.blooionative")).build()) {
            client.getChatBackground(CHAT);
        } finally {
            jul.removeHandler(handler);
            jul.setUseParentHandlers(true);
        }
        assertEquals(1, records.size(), records.toString());
        assertTrue(records.get(0).startsWith("INFO GET /v2/api/chats/%2B15551234567/background -> 200"), records.get(0));
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    @Test
    void progressReportsTheWholeBodyFromEveryKindOfCall() throws Exception {
        long before = Native.liveHandles();
        try (BlooioClient client = builder().build()) {
            for (int kind = 0; kind < 4; kind++) {
                emulator.reset();
                List<long[]> seen = new CopyOnWriteArrayList<>();
                List<String> threads = new CopyOnWriteArrayList<>();
                CallOptions options = CallOptions.builder().progress((sent, total) -> {
                    seen.add(new long[] {sent, total});
                    threads.add(Thread.currentThread().getName());
                    return true;
                }).build();
                switch (kind) {
                    case 0:
                        client.setChatBackground(CHAT, image, options);
                        break;
                    case 1:
                        client.setChatBackground(CHAT, SAMPLE, options);
                        break;
                    case 2:
                        client.setChatBackgroundAsync(CHAT, image, options).get(10, TimeUnit.SECONDS);
                        break;
                    default:
                        client.setChatBackgroundAsync(CHAT, SAMPLE, options).get(10, TimeUnit.SECONDS);
                        break;
                }
                long bodyLen = (Long) emulator.requests().get(0).get("body_len");
                assertFalse(seen.isEmpty(), "kind " + kind);
                long[] last = seen.get(seen.size() - 1);
                assertEquals(bodyLen, last[1], "total is the body's length (kind " + kind + ")");
                assertEquals(bodyLen, last[0], "the last report has all of it sent (kind " + kind + ")");
                for (int i = 1; i < seen.size(); i++) {
                    assertTrue(seen.get(i)[0] >= seen.get(i - 1)[0], "sent never goes back");
                    assertEquals(bodyLen, seen.get(i)[1]);
                }
                if (kind >= 2) {
                    assertTrue(threads.stream().allMatch(t -> t.startsWith("blooio-async")), threads.toString());
                }
            }
            // A get has no body: a listener is accepted and never called.
            List<long[]> none = new ArrayList<>();
            client.getChatBackground(CHAT, CallOptions.builder().progress((s, t) -> none.add(new long[] {s, t})).build());
            assertEquals(0, none.size());
        }
        assertEquals(0, BlooioClient.callsInFlight());
        assertEquals(before, Native.liveHandles());
    }

    @Test
    void aListenerThatStopsOrThrowsAbortsTheUploadAndTheConnectionIsNotReused() throws Exception {
        long before = Native.liveHandles();
        byte[] big = bigPng();
        try (BlooioClient client = builder().build()) {
            client.getChatBackground(CHAT); // a pooled connection
            int calls = 0;
            List<long[]> seen = new ArrayList<>();
            CancelledException stopped = fails(CancelledException.class, Status.CANCELLED,
                    () -> client.setChatBackground(CHAT, big,
                            CallOptions.builder().progress((s, t) -> seen.add(new long[] {s, t}) && s < 64 * 1024)
                                    .build()));
            assertFalse(stopped.getMessage().contains(Emulator.API_KEY));
            assertTrue(seen.get(seen.size() - 1)[0] < big.length, "stopped before the end");
            calls++;

            IllegalStateException mine = new IllegalStateException("the listener's own");
            IllegalStateException thrown = assertThrows(IllegalStateException.class,
                    () -> client.setChatBackground(CHAT, big, CallOptions.builder().progress((s, t) -> {
                        throw mine;
                    }).build()));
            assertSame(mine, thrown, "the caller gets the listener's exception");
            calls++;

            CompletableFuture<ChatBackground> f = client.setChatBackgroundAsync(CHAT, big,
                    CallOptions.builder().progress((s, t) -> {
                        throw mine;
                    }).build());
            ExecutionException x = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
            assertSame(mine, x.getCause());
            calls++;

            client.getChatBackground(CHAT);
            List<Map<String, Object>> requests = emulator.requests();
            // The first stopped upload may take the pooled connection; after that, each request
            // (stopped uploads, then the last get) comes on a connection never used before.
            java.util.Set<Object> used = new java.util.HashSet<>();
            for (Map<String, Object> r : requests.subList(1, requests.size())) {
                assertTrue(used.add(r.get("connection_id")), "a stopped upload's connection was reused: " + requests);
            }
            assertNotEquals(requests.get(0).get("connection_id"), requests.get(requests.size() - 1).get("connection_id"));
            for (Map<String, Object> r : requests) {
                if ("PUT".equals(r.get("method"))) {
                    assertEquals(true, r.get("client_aborted"), "a stopped upload is cut short: " + r);
                    assertTrue((Long) r.get("body_len") < big.length, "not all of the body came: " + r);
                }
            }
            assertTrue(requests.size() <= calls + 2, requests.toString());
        }
        assertEquals(0, BlooioClient.callsInFlight());
        assertEquals(before, Native.liveHandles(), "nothing leaked");
        Freed.checkIncludes(Native.Kind.CALL_OPTIONS, Native.Kind.ERROR, Native.Kind.CANCEL_TOKEN);
    }

    /** A valid PNG of about 4 MiB (the sample's header, then padding the sniffing ignores). */
    static byte[] bigPng() {
        byte[] big = new byte[4 << 20];
        System.arraycopy(image, 0, big, 0, image.length);
        return big;
    }

    @Test
    void aTokenCancelledFromAnotherThreadStopsASlowCallPromptly() throws Exception {
        long before = Native.liveHandles();
        ExecutorService other = Executors.newSingleThreadExecutor();
        try (BlooioClient client = builder().build()) {
            client.getChatBackground(CHAT); // a pooled connection, which the cancelled call takes
            List<Long> latencies = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                emulator.script("{\"delay_ms\":5000}");
                CancelToken token = new CancelToken();
                long[] cancelledAt = new long[1];
                other.submit(() -> {
                    Thread.sleep(300);
                    cancelledAt[0] = System.nanoTime();
                    token.cancel();
                    return null;
                });
                long start = System.nanoTime();
                CancelledException e = fails(CancelledException.class, Status.CANCELLED,
                        () -> client.getChatBackground(CHAT, CallOptions.builder().cancelToken(token).build()));
                long end = System.nanoTime();
                assertTrue(ms(start) < 2000);
                latencies.add((end - cancelledAt[0]) / 1_000_000);
                assertTrue(token.isCancelled());
                assertTrue(e.attempts() >= 1);
            }
            System.out.println("CancelToken.cancel() -> CancelledException (ms): " + latencies);
            for (long l : latencies) {
                assertTrue(l < 250, "cancel latencies " + latencies);
            }
            for (int i = 1; i <= 5; i++) {
                awaitAborted(i);
            }
            client.getChatBackground(CHAT);
            List<Map<String, Object>> requests = emulator.requests();
            assertEquals(7, requests.size());
            java.util.Set<Object> connections = new java.util.HashSet<>();
            for (Map<String, Object> r : requests.subList(1, requests.size())) {
                assertTrue(connections.add(r.get("connection_id")), "each cancelled call's connection was dropped: "
                        + requests);
            }

            // A token cancelled before the call: nothing is sent.
            emulator.reset();
            CancelToken done = new CancelToken();
            done.cancel();
            done.cancel(); // idempotent
            CallOptions options = CallOptions.builder().cancelToken(done).build();
            assertEquals(0, fails(CancelledException.class, Status.CANCELLED,
                    () -> client.setChatBackground(CHAT, image, options)).attempts());
            ExecutionException x = assertThrows(ExecutionException.class,
                    () -> client.getChatBackgroundAsync(CHAT, options).get(10, TimeUnit.SECONDS));
            assertInstanceOf(CancelledException.class, x.getCause());
            assertEquals(List.of(), emulator.requests());
        } finally {
            other.shutdownNow();
        }
        assertEquals(before, Native.liveHandles());
    }

    @Test
    void aTokenStopsTheWaitBeforeARetry() throws Exception {
        try (BlooioClient client = builder().maxRetries(2).build()) {
            emulator.script("{\"status\":429,\"headers\":{\"Retry-After\":\"5\"}}");
            CancelToken token = new CancelToken();
            CompletableFuture<ChatBackground> f = client.getChatBackgroundAsync(CHAT,
                    CallOptions.builder().cancelToken(token).build());
            waitForRequests(1);
            Thread.sleep(200); // the 429 is answered; the call now sleeps 5 s before retrying
            long start = System.nanoTime();
            token.cancel();
            ExecutionException x = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
            long took = ms(start);
            System.out.println("CancelToken.cancel() during a 5 s Retry-After wait -> failed after " + took + " ms");
            CancelledException e = assertInstanceOf(CancelledException.class, x.getCause());
            assertEquals(1, e.attempts());
            assertTrue(took < 250, took + " ms");
            assertEquals(1, emulator.requests().size(), "no retry was sent");
        }
    }

    @Test
    void cancellingTheFutureStopsTheRequestItself() throws Exception {
        long before = Native.liveHandles();
        ExecutorService executor = Executors.newFixedThreadPool(2);
        try (BlooioClient client = builder().build()) {
            List<Long> latencies = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                emulator.reset();
                emulator.script("{\"delay_ms\":5000}");
                CompletableFuture<ChatBackground> f = i % 2 == 0 ? client.getChatBackgroundAsync(CHAT)
                        : client.getChatBackgroundAsync(CHAT, executor);
                waitForRequests(1);
                long start = System.nanoTime();
                assertTrue(f.cancel(true));
                assertTrue(f.isCancelled());
                // The native call reports (and frees its token and handle) once it has stopped.
                while (BlooioClient.callsInFlight() > 0 || Native.liveHandles() != before + 1) {
                    assertTrue(ms(start) < 2000, "the request still runs " + ms(start) + " ms after cancel");
                    Thread.sleep(1);
                }
                latencies.add(ms(start));
                assertEquals(0L, emulator.requests().get(0).get("status"), "the request was cut short");
                awaitAborted(0);
            }
            System.out.println("future.cancel(true) -> native call ended (ms; library threads, executor alternately): "
                    + latencies);
            for (long l : latencies) {
                assertTrue(l < 250, "cancel latencies " + latencies);
            }

            // A token of the caller's cancels an async call too; the future fails with CancelledException.
            emulator.reset();
            emulator.script("{\"delay_ms\":5000}");
            CancelToken token = new CancelToken();
            CompletableFuture<ChatBackground> f = client.setChatBackgroundAsync(CHAT, image,
                    CallOptions.builder().cancelToken(token).build());
            waitForRequests(1);
            long start = System.nanoTime();
            token.cancel();
            ExecutionException x = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
            long took = ms(start);
            System.out.println("CancelToken.cancel() -> async future failed: " + took + " ms");
            assertInstanceOf(CancelledException.class, x.getCause());
            assertTrue(took < 250, took + " ms");
            awaitAborted(0);
        } finally {
            executor.shutdownNow();
        }
        assertEquals(before, Native.liveHandles());
        Freed.check();
    }

    @Test
    void listenersAndLoggersOfManyAsyncCallsSurviveGarbageCollection() throws Exception {
        long before = Native.liveHandles();
        Captured log = new Captured(System.Logger.Level.INFO);
        try (BlooioClient client = builder().logger(log).build()) {
            List<CompletableFuture<ChatBackground>> futures = new ArrayList<>();
            List<java.util.concurrent.atomic.AtomicLong> last = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                java.util.concurrent.atomic.AtomicLong seen = new java.util.concurrent.atomic.AtomicLong();
                last.add(seen);
                // A fresh lambda per call, referenced by nothing but the options.
                futures.add(client.setChatBackgroundAsync("+1555000" + String.format("%04d", i), image,
                        CallOptions.builder().progress((sent, total) -> {
                            seen.set(sent);
                            return true;
                        }).build()));
                if (i % 8 == 0) {
                    System.gc();
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                futures.get(i).get(20, TimeUnit.SECONDS);
                assertTrue(last.get(i).get() > image.length, "call " + i + " reported its whole body");
            }
            assertEquals(64, log.lines.size());
        }
        assertEquals(0, BlooioClient.callsInFlight());
        assertEquals(before, Native.liveHandles());
    }

    /** Waits until the emulator has marked request {@code i} as cut short by the client. */
    static void awaitAborted(int i) throws InterruptedException {
        long start = System.nanoTime();
        while (!Boolean.TRUE.equals(emulator.requests().get(i).get("client_aborted"))) {
            assertTrue(ms(start) < 3000, "request " + i + " is not marked client_aborted: " + emulator.requests());
            Thread.sleep(5);
        }
    }

    static void waitForRequests(int n) throws InterruptedException {
        long start = System.nanoTime();
        while (emulator.requests().size() < n) {
            assertTrue(ms(start) < 5000, "the request never arrived");
            Thread.sleep(5);
        }
    }
}
