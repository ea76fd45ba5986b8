package io.blooionative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blooionative.internal.LibraryLoader;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The Java binding against the emulator: both endpoints from a path and from bytes, every
 * error status with its exception class and fields, bad input refused with nothing sent, and
 * every native handle given back.
 */
class BlooioClientTest extends EmulatorTest {
    static final Path SAMPLE = Path.of("..", "..", "examples", "assets", "sample.png");
    static final String CHAT = "+15551234567";

    static BlooioClient client;

    @BeforeAll
    static void makeClient() {
        client = emulator.client(2);
    }

    @AfterAll
    static void closeClient() {
        client.close();
    }

    @BeforeEach
    void resetFreed() {
        Freed.reset();
    }

    /** Asserts {@code call} throws {@code type} with {@code status}, and returns it. */
    static <T extends BlooioException> T fails(Class<T> type, Status status, Executable call) {
        T e = assertThrows(type, call);
        assertEquals(status, e.status(), () -> "status of: " + e.getMessage());
        return e;
    }

    @Test
    void theScenarioSetFromAPathGetItBackSetFromBytes() throws IOException {
        long before = Native.liveHandles();
        ChatBackground set = client.setChatBackground(CHAT, SAMPLE);
        assertEquals(Optional.of(CHAT), set.chatId());
        assertEquals(Optional.of(true), set.hasBackground());
        assertTrue(set.backgroundId().isPresent());
        assertTrue(set.backgroundUrl().orElseThrow().matches("http://127\\.0\\.0\\.1:\\d+/.*"), set.toString());
        assertEquals(1, set.backgroundVersion().orElseThrow());
        assertEquals(Optional.of(true), set.changed());

        ChatBackground got = client.getChatBackground(CHAT);
        assertEquals(set.backgroundId(), got.backgroundId());
        assertEquals(set.backgroundUrl(), got.backgroundUrl());
        assertEquals(set.backgroundVersion(), got.backgroundVersion());
        assertEquals(Optional.empty(), got.changed(), "a get has no `changed`");

        byte[] bytes = Files.readAllBytes(SAMPLE);
        ChatBackground again = client.setChatBackground(CHAT, bytes);
        assertEquals(Optional.of(true), again.hasBackground());
        assertTrue(again.changed().isPresent());
        assertTrue(again.backgroundVersion().orElseThrow() >= 1);

        List<Map<String, Object>> sent = emulator.requests();
        assertEquals(3, sent.size());
        String path = "/v2/api/chats/%2B15551234567/background";
        assertEquals(List.of("PUT " + path, "GET " + path, "PUT " + path),
                sent.stream().map(r -> r.get("method") + " " + r.get("raw_path")).collect(java.util.stream.Collectors.toList()));
        @SuppressWarnings("unchecked")
        Map<String, Object> part = ((List<Map<String, Object>>) sent.get(0).get("parts")).get(0);
        assertEquals("background", part.get("name"));
        assertEquals("image/png", part.get("content_type"));
        assertEquals((long) bytes.length, part.get("len"));
        assertTrue(header(sent.get(0), "user-agent").contains("blooio-java/" + BlooioClient.VERSION),
                header(sent.get(0), "user-agent"));
        assertEquals(before, Native.liveHandles(), "every background and string was freed");
        Freed.checkIncludes(Native.Kind.BACKGROUND, Native.Kind.STRING);
    }

    static String header(Map<String, Object> request, String name) {
        @SuppressWarnings("unchecked")
        List<List<String>> headers = (List<List<String>>) request.get("headers");
        return headers.stream().filter(h -> h.get(0).equals(name)).map(h -> h.get(1)).findFirst().orElse("");
    }

    @Test
    void aChatBackgroundIsAValueWithTheLibrarysJson() {
        ChatBackground a = client.getChatBackground(CHAT);
        ChatBackground b = client.getChatBackground(CHAT);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals("{\"chat_id\":\"+15551234567\",\"has_background\":false}", a.toJson());
        assertTrue(a.toString().contains("\"has_background\":false"), a.toString());
        assertEquals(Optional.empty(), a.backgroundId());
        assertFalse(a.backgroundVersion().isPresent());
        ChatBackground set = client.setChatBackground(CHAT, SAMPLE);
        assertNotEquals(a, set);
        assertTrue(set.toJson().contains("\"changed\":true"), set.toJson());
    }

    /** One row of the error table: a fault, the retries allowed, what must come out. */
    private static void row(String fault, int retries, Class<? extends BlooioException> type, Status status,
            int http, int attempts) {
        emulator.reset();
        emulator.script(fault);
        try (BlooioClient c = emulator.client(retries)) {
            BlooioException e = fails(type, status, () -> c.getChatBackground(CHAT));
            assertEquals(http == 0 ? OptionalInt.empty() : OptionalInt.of(http), e.httpStatus(), fault);
            assertEquals(attempts, e.attempts(), fault);
            assertTrue(e.requestId().orElseThrow().startsWith("req_"), fault);
        }
    }

    @Test
    void everyHttpFailureHasItsExceptionClassAndFields() {
        long before = Native.liveHandles();
        row("{\"status\":400}", 2, BadRequestException.class, Status.BAD_REQUEST, 400, 1);
        row("{\"status\":401}", 2, UnauthorizedException.class, Status.AUTHENTICATION, 401, 1);
        row("{\"status\":403}", 2, PermissionDeniedException.class, Status.HTTP_STATUS, 403, 1);
        row("{\"status\":404}", 2, NotFoundException.class, Status.HTTP_STATUS, 404, 1);
        row("{\"status\":422}", 2, UnprocessableEntityException.class, Status.HTTP_STATUS, 422, 1);
        row("{\"status\":418}", 2, UnexpectedStatusCodeException.class, Status.HTTP_STATUS, 418, 1);
        row("{\"status\":429}", 0, RateLimitException.class, Status.RATE_LIMITED, 429, 1);
        row("{\"status\":502,\"headers\":{\"Retry-After\":\"0\"},\"repeat\":3}", 2,
                DeviceUnavailableException.class, Status.DEVICE_UNAVAILABLE, 502, 3);
        row("{\"status\":503}", 2, NoActiveNumberException.class, Status.NO_ACTIVE_NUMBER, 503, 1);
        row("{\"status\":500}", 0, InternalServerException.class, Status.SERVER_ERROR, 500, 1);
        row("{\"status\":200,\"headers\":{\"Content-Type\":\"text/html\"},\"body\":\"<html>hi</html>\"}", 2,
                ResponseDecodeException.class, Status.DECODE, 200, 1);
        // The SDK's hierarchy: 502 and 503 are InternalServerExceptions, all of them service ones.
        assertTrue(InternalServerException.class.isAssignableFrom(DeviceUnavailableException.class));
        assertTrue(InternalServerException.class.isAssignableFrom(NoActiveNumberException.class));
        assertTrue(BlooioServiceException.class.isAssignableFrom(RateLimitException.class));
        assertEquals(before, Native.liveHandles(), "each error and client was freed");
        Freed.checkIncludes(Native.Kind.OPTIONS, Native.Kind.CLIENT, Native.Kind.ERROR);
    }

    @Test
    void theServersDetailAndRetryAfterComeThrough() {
        emulator.script("{\"status\":400,\"headers\":{\"x-request-id\":\"req_java400\"},"
                + "\"body\":\"{\\\"error\\\":\\\"bad_request\\\",\\\"message\\\":\\\"chat is archived\\\","
                + "\\\"code\\\":\\\"E_ARCHIVED\\\"}\"}");
        BadRequestException e = fails(BadRequestException.class, Status.BAD_REQUEST, () -> client.getChatBackground(CHAT));
        assertEquals(Optional.of("chat is archived"), e.serverMessage());
        assertEquals(Optional.of("E_ARCHIVED"), e.serverCode());
        assertEquals(Optional.of("req_java400"), e.requestId());
        assertTrue(e.getMessage().contains("chat is archived"), e.getMessage());
        assertEquals(Optional.empty(), e.retryAfter());

        emulator.script("{\"status\":429,\"headers\":{\"Retry-After\":\"7\"}}");
        try (BlooioClient once = emulator.client(0)) {
            RateLimitException r = fails(RateLimitException.class, Status.RATE_LIMITED, () -> once.getChatBackground(CHAT));
            assertEquals(Optional.of(Duration.ofSeconds(7)), r.retryAfter());
        }
    }

    @Test
    void timeoutsAndConnectionFailuresAreApiConnectionExceptions() throws IOException {
        emulator.script("{\"delay_ms\":3000}");
        try (BlooioClient quick = BlooioClient.builder().apiKey(Emulator.API_KEY).baseUrl(emulator.baseUrl)
                .maxRetries(0).timeout(Duration.ofMillis(300)).build()) {
            long start = System.nanoTime();
            ApiTimeoutException e = fails(ApiTimeoutException.class, Status.TIMEOUT, () -> quick.getChatBackground(CHAT));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 250 && ms < 2500, "took " + ms + " ms");
            assertEquals(OptionalInt.empty(), e.httpStatus());
            assertInstanceOf(ApiConnectionException.class, e);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/v2/api";
        try (BlooioClient nobody = BlooioClient.builder().apiKey(Emulator.API_KEY).baseUrl(url).maxRetries(1).build()) {
            ApiConnectionException e = fails(ApiConnectionException.class, Status.CONNECTION,
                    () -> nobody.getChatBackground(CHAT));
            assertEquals(2, e.attempts(), "a connection failure is retried");
            assertTrue(e.getMessage().contains(url), e.getMessage());
        }
    }

    @Test
    void aWrongKeyIsUnauthorizedAndTheKeyIsNeverShown() {
        String secret = "bl_wrong_key_java_9f8e7d6c";
        try (BlooioClient bad = BlooioClient.builder().apiKey(secret).baseUrl(emulator.baseUrl).maxRetries(0).build()) {
            UnauthorizedException e = fails(UnauthorizedException.class, Status.AUTHENTICATION,
                    () -> bad.getChatBackground(CHAT));
            assertEquals(OptionalInt.of(401), e.httpStatus());
            assertEquals(Optional.of("invalid API key"), e.serverMessage());
            assertEquals(Optional.of("UNAUTHORIZED"), e.serverCode());
            assertEquals(1, e.attempts());
            java.io.StringWriter trace = new java.io.StringWriter();
            e.printStackTrace(new java.io.PrintWriter(trace));
            for (String shown : List.of(e.getMessage(), e.toString(), trace.toString(), bad.toString())) {
                assertFalse(shown.contains(secret), "the key leaked into: " + shown);
            }
            fails(UnauthorizedException.class, Status.AUTHENTICATION, () -> bad.setChatBackground(CHAT, SAMPLE));
        }
    }

    @Test
    void invalidChatIdsAreRefusedWithNothingSent() {
        for (String id : List.of("", ".", "..", "+", "+1555x", "a\u0001b")) {
            InvalidChatIdException e = fails(InvalidChatIdException.class, Status.INVALID_CHAT_ID,
                    () -> client.getChatBackground(id));
            assertEquals(0, e.attempts());
            assertEquals(OptionalInt.empty(), e.httpStatus());
            fails(InvalidChatIdException.class, Status.INVALID_CHAT_ID, () -> client.setChatBackground(id, SAMPLE));
        }
        assertEquals(List.of(), emulator.requests());
    }

    @Test
    void nullsAndTextNoCStringCanHoldAreRefusedByName() {
        long before = Native.liveHandles();
        assertTrue(fails(InvalidArgumentException.class, Status.INVALID_ARGUMENT,
                () -> client.getChatBackground(null)).getMessage().contains("chat_id"));
        assertTrue(fails(InvalidArgumentException.class, Status.INVALID_ARGUMENT,
                () -> client.setChatBackground(CHAT, (Path) null)).getMessage().contains("path"));
        // No bytes is an empty image to the library, whatever the buffer.
        fails(InvalidImageException.class, Status.INVALID_IMAGE, () -> client.setChatBackground(CHAT, (byte[]) null));
        // A NUL would cut the id short; a lone surrogate has no UTF-8 form.
        assertTrue(fails(InvalidArgumentException.class, Status.INVALID_ARGUMENT,
                () -> client.getChatBackground(CHAT + "\0evil")).getMessage().contains("NUL"));
        fails(InvalidArgumentException.class, Status.INVALID_ARGUMENT, () -> client.getChatBackground("+1555\uD800"));
        assertEquals(List.of(), emulator.requests());
        assertEquals(before, Native.liveHandles());
        Freed.checkIncludes(Native.Kind.ERROR);
    }

    @Test
    void badImagesAndUnreadableFilesAreRefusedBeforeSending(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException {
        fails(InvalidImageException.class, Status.INVALID_IMAGE,
                () -> client.setChatBackground(CHAT, "not an image".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        fails(InvalidImageException.class, Status.INVALID_IMAGE, () -> client.setChatBackground(CHAT, new byte[0]));
        Path text = Files.writeString(dir.resolve("notes.png"), "hello");
        fails(InvalidImageException.class, Status.INVALID_IMAGE, () -> client.setChatBackground(CHAT, text));
        fails(InvalidImageException.class, Status.INVALID_IMAGE, () -> client.setChatBackground(CHAT, dir));
        ImageFileException io = fails(ImageFileException.class, Status.IO,
                () -> client.setChatBackground(CHAT, Path.of("/nonexistent/beach.jpg")));
        assertTrue(io.getMessage().contains("/nonexistent/beach.jpg"), io.getMessage());
        assertEquals(List.of(), emulator.requests());
    }

    @Test
    void anUnusableConfigurationThrowsFromBuild() {
        long before = Native.liveHandles();
        fails(InvalidConfigException.class, Status.INVALID_CONFIG,
                () -> BlooioClient.builder().apiKey("k").baseUrl("http://example.com/v2/api").build());
        fails(InvalidConfigException.class, Status.INVALID_CONFIG,
                () -> BlooioClient.builder().apiKey("").baseUrl(emulator.baseUrl).build());
        fails(InvalidConfigException.class, Status.INVALID_CONFIG,
                () -> BlooioClient.builder().apiKey("k").baseUrl(emulator.baseUrl).userAgentSuffix("caf\u00e9").build());
        // Out of range for the library (which says so), or for a C unsigned type (refused here).
        fails(InvalidConfigException.class, Status.INVALID_CONFIG,
                () -> BlooioClient.builder().apiKey("k").timeout(Duration.ZERO).build());
        fails(InvalidConfigException.class, Status.INVALID_CONFIG,
                () -> BlooioClient.builder().apiKey("k").connectTimeout(Duration.ofDays(2)).build());
        fails(InvalidArgumentException.class, Status.INVALID_ARGUMENT,
                () -> BlooioClient.builder().apiKey("k").timeout(Duration.ofSeconds(-1)).build());
        fails(InvalidArgumentException.class, Status.INVALID_ARGUMENT,
                () -> BlooioClient.builder().apiKey("k").maxRetries(-1).build());
        try (BlooioClient insecure = BlooioClient.builder().apiKey("k").baseUrl("http://example.com/v2/api")
                .allowInsecureHttp(true).build()) {
            assertFalse(insecure.isClosed());
        }
        assertEquals(before, Native.liveHandles(), "the options of every failed build were freed");
        Freed.checkIncludes(Native.Kind.OPTIONS, Native.Kind.ERROR, Native.Kind.CLIENT);
        assertEquals(List.of(), emulator.requests());
    }

    @Test
    void aClosedClientRefusesCallsAndClosingTwiceIsFine() {
        long before = Native.liveHandles();
        BlooioClient own = emulator.client(0);
        assertEquals(before + 1, Native.liveHandles());
        assertEquals(Optional.of(false), own.getChatBackground(CHAT).hasBackground());
        own.close();
        own.close();
        assertTrue(own.isClosed());
        assertEquals(before, Native.liveHandles());
        assertTrue(fails(InvalidArgumentException.class, Status.INVALID_ARGUMENT,
                () -> own.getChatBackground(CHAT)).getMessage().contains("closed"));
        assertEquals("BlooioClient[closed]", own.toString());
        assertEquals(1, emulator.requests().size());
    }

    @Test
    void statusMatchesTheLibraryAndTheLibraryIsTheBundledOne() {
        for (Status s : Status.values()) {
            assertEquals(s.snakeCaseName(), Native.string(LibraryLoader.library().blooio_status_name(s.code())), s.name());
            assertEquals(s, Status.fromCode(s.code()));
        }
        assertEquals("unknown", Native.string(LibraryLoader.library().blooio_status_name(Status.values().length)),
                "the library has a status that Status lacks: run make java-bindings");
        assertEquals(Status.OTHER, Status.fromCode(9999));
        assertEquals(System.getProperty("blooio.expectedVersion"), BlooioClient.libraryVersion());
        assertEquals(System.getProperty("blooio.expectedVersion"), BlooioClient.VERSION);
        assertNotNull(BlooioClient.class.getClassLoader().getResource("linux-x86-64/libblooio.so"),
                "libblooio.so is bundled under JNA's resource layout");
    }
}
