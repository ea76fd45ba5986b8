package io.blooionative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS through the binding: the emulator's own CA trusted by caFile, refusals after one try. */
class TlsTest {
    private static final String CHAT = "+15551234567";
    @TempDir
    static Path dir;
    private static Emulator emulator;
    private static Path ca;

    @BeforeAll
    static void start() throws Exception {
        ca = dir.resolve("ca.pem");
        emulator = Emulator.startTls(ca);
        assertTrue(emulator.baseUrl.startsWith("https://"), emulator.baseUrl);
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    @BeforeEach
    void reset() {
        emulator.reset();
    }

    private BlooioClient.Builder builder() {
        return BlooioClient.builder().apiKey(Emulator.API_KEY).baseUrl(emulator.baseUrl).maxRetries(2);
    }

    @Test
    void bothEndpointsWorkWithTheCaGivenByOption() throws Exception {
        Path image = dir.resolve("bg.png");
        Files.write(image, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'});
        try (BlooioClient client = builder().caFile(ca).build()) {
            assertEquals(Boolean.TRUE, client.setChatBackground(CHAT, image).changed().orElse(null));
            assertEquals(CHAT, client.getChatBackground(CHAT).chatId().orElse(null));
        }
        assertEquals(2, emulator.requests().size());
    }

    @Test
    void anUnknownIssuerIsATlsExceptionAfterOneAttempt() {
        try (BlooioClient client = builder().build()) {
            TlsException e = assertThrows(TlsException.class, () -> client.getChatBackground(CHAT));
            assertEquals(Status.TLS, e.status());
            assertEquals(1, e.attempts(), e.getMessage());
            assertTrue(e.getMessage().contains("not trusted"), e.getMessage());
            assertTrue(e instanceof ApiConnectionException);
        }
        assertEquals(0, emulator.requests().size(), "no request reached the API");
    }

    @Test
    void aCaFileThatHoldsNoCertificateIsRefusedWhenTheClientIsBuilt() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "not a certificate\n");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> builder().caFile(empty).build());
        assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
    }
}
