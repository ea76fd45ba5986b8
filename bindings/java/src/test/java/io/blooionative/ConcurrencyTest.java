package io.blooionative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One client shared by threads, the async calls, and closing a client while calls run. */
class ConcurrencyTest extends EmulatorTest {
    @Test
    void eightThreadsShareOneClientAndTheirCallsOverlap() throws Exception {
        long before = Native.liveHandles();
        emulator.config("{\"latency_ms\":200}");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (BlooioClient client = emulator.client(0)) {
            CountDownLatch ready = new CountDownLatch(8);
            List<Future<ChatBackground[]>> results = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < 8; i++) {
                String chat = "+1555000000" + i;
                results.add(pool.submit(() -> {
                    ready.countDown();
                    ready.await();
                    ChatBackground set = client.setChatBackground(chat, BlooioClientTest.SAMPLE);
                    ChatBackground got = client.getChatBackground(chat);
                    return new ChatBackground[] {set, got};
                }));
            }
            for (int i = 0; i < 8; i++) {
                ChatBackground[] pair = results.get(i).get(30, TimeUnit.SECONDS);
                assertEquals(Optional.of("+1555000000" + i), pair[0].chatId());
                assertEquals(pair[0].backgroundId(), pair[1].backgroundId());
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            // 16 calls of 200 ms each: one after another would take 3.2 s.
            assertTrue(ms < 1600, "8 threads x 2 calls took " + ms + " ms: the calls did not overlap");
            assertEquals(16, emulator.requests().size());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(before, Native.liveHandles());
    }

    @Test
    void asyncCallsRunOnTheLibrarysOwnThreadsOrTheCallersExecutor() throws Exception {
        long before = Native.liveHandles();
        try (BlooioClient client = emulator.client(0)) {
            byte[] image = Files.readAllBytes(BlooioClientTest.SAMPLE);
            CompletableFuture<ChatBackground> set = client.setChatBackgroundAsync("+15550001111", image);
            java.util.Arrays.fill(image, (byte) 0); // the call copied the bytes first
            assertEquals(Optional.of(true), set.get(10, TimeUnit.SECONDS).changed());

            // With latency, a stage added at once runs on the thread that completes the call:
            // one of libblooio's own (a daemon to Java), not a Java pool's.
            emulator.config("{\"latency_ms\":200}");
            String where = client.getChatBackgroundAsync("+15550001111")
                    .thenApply(bg -> Thread.currentThread().getName() + " daemon=" + Thread.currentThread().isDaemon()
                            + " " + bg.backgroundId().isPresent())
                    .get(10, TimeUnit.SECONDS);
            assertTrue(where.matches("blooio-async daemon=true true"), where);

            ExecutorService mine = Executors.newSingleThreadExecutor(r -> new Thread(r, "callers-own"));
            try {
                where = client.setChatBackgroundAsync("+15550002222", BlooioClientTest.SAMPLE, mine)
                        .thenApply(bg -> Thread.currentThread().getName())
                        .get(10, TimeUnit.SECONDS);
                assertEquals("callers-own", where);
                where = client.getChatBackgroundAsync("+15550002222", mine)
                        .thenApply(bg -> Thread.currentThread().getName())
                        .get(10, TimeUnit.SECONDS);
                assertEquals("callers-own", where);
            } finally {
                mine.shutdownNow();
            }

            CompletionException e = assertThrows(CompletionException.class,
                    () -> client.getChatBackgroundAsync("").join());
            assertInstanceOf(InvalidChatIdException.class, e.getCause());
            e = assertThrows(CompletionException.class,
                    () -> client.setChatBackgroundAsync("+15550002222", new byte[] {1, 2, 3}).join());
            assertInstanceOf(InvalidImageException.class, e.getCause());
            assertEquals(4, emulator.requests().size(), "the two refused calls sent nothing");
        }
        assertEquals(before, Native.liveHandles());
    }

    /**
     * No pool ceiling: the emulator holds each request until 64 have arrived, so these calls
     * complete only if all 64 are in flight at once (on a pool of fewer threads they would wait
     * until the emulator gives up with a 500).
     */
    @Test
    void sixtyFourAsyncCallsAreInFlightAtOnce() throws Exception {
        long before = Native.liveHandles();
        emulator.config("{\"hold_until\":64}");
        try (BlooioClient client = emulator.client(0)) {
            List<CompletableFuture<ChatBackground>> calls = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                calls.add(client.getChatBackgroundAsync(String.format("+1555070%04d", i)));
            }
            for (int i = 0; i < 64; i++) {
                assertEquals(Optional.of(String.format("+1555070%04d", i)),
                        calls.get(i).get(30, TimeUnit.SECONDS).chatId());
            }
        } finally {
            emulator.config("{\"hold_until\":null}");
        }
        assertEquals(before, Native.liveHandles());
    }

    @Test
    void queuedCallsOutliveCloseAndACancelledOneNeverCalls() throws Exception {
        long before = Native.liveHandles();
        CountDownLatch gate = new CountDownLatch(1);
        ExecutorService one = Executors.newSingleThreadExecutor();
        try {
            one.execute(() -> {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            BlooioClient client = emulator.client(0);
            CompletableFuture<ChatBackground> first = client.getChatBackgroundAsync("+15550003333", one);
            CompletableFuture<ChatBackground> cancelled = client.getChatBackgroundAsync("+15550004444", one);
            CompletableFuture<ChatBackground> last = client.setChatBackgroundAsync("+15550003333",
                    BlooioClientTest.SAMPLE, one);
            client.close();
            assertTrue(cancelled.cancel(false));
            assertEquals(before + 3, Native.liveHandles(), "each queued call holds a handle of its own");
            gate.countDown();
            assertEquals(Optional.of(false), first.get(10, TimeUnit.SECONDS).hasBackground());
            assertEquals(Optional.of(true), last.get(10, TimeUnit.SECONDS).changed());
            one.submit(() -> { }).get(10, TimeUnit.SECONDS);
            List<String> paths = new ArrayList<>();
            emulator.requests().forEach(r -> paths.add(r.get("method") + " " + r.get("raw_path")));
            assertEquals(List.of("GET /v2/api/chats/%2B15550003333/background",
                    "PUT /v2/api/chats/%2B15550003333/background"), paths, "the cancelled call sent nothing");
            assertEquals(before, Native.liveHandles());
        } finally {
            gate.countDown();
            one.shutdownNow();
        }
    }

    @Test
    void closeWhileCallsRunLetsThemFinish() throws Exception {
        long before = Native.liveHandles();
        emulator.config("{\"latency_ms\":300}");
        BlooioClient client = emulator.client(0);
        Freed.reset();
        List<CompletableFuture<ChatBackground>> running = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            running.add(client.getChatBackgroundAsync("+1555000100" + i));
        }
        // Wait until the emulator has all four requests, then close under them.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (emulator.requests().size() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(4, emulator.requests().size(), "the calls are in flight");
        client.close();
        // Reuse the memory a client gives back at once: calls still running on the closed
        // client must not see another object where theirs was.
        List<BlooioClient> others = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            others.add(emulator.client(0));
        }
        others.forEach(BlooioClient::close);
        for (CompletableFuture<ChatBackground> call : running) {
            assertEquals(Optional.of(false), call.get(10, TimeUnit.SECONDS).hasBackground());
        }
        assertEquals(before, Native.liveHandles());
        // The calls run on libblooio's threads, which keep clones of their own: Java freed
        // exactly the client and the eight others.
        assertEquals(9, Freed.check().get(Native.Kind.CLIENT), "libblooio freed the client and the eight others");
        assertInstanceOf(InvalidArgumentException.class,
                assertThrows(CompletionException.class, () -> client.getChatBackgroundAsync("+15550001000").join())
                        .getCause());
    }
}
