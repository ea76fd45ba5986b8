package io.blooionative.example;

import io.blooionative.BlooioClient;
import io.blooionative.CallOptions;
import io.blooionative.BlooioException;
import io.blooionative.ChatBackground;
import io.blooionative.UnauthorizedException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Sets a chat's background from an image file, reads it back, and prints both.
 *
 * <pre>
 * java -jar target/blooio-example.jar +15551234567 ../assets/sample.png
 * </pre>
 *
 * <p>The key and the API's address come from BLOOIO_API_KEY and BLOOIO_BASE_URL, so the same
 * program runs against the real API or the bundled emulator. BLOOIO_LOG=info prints one line
 * per HTTP attempt on stderr.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: blooio-example CHAT_ID IMAGE");
            System.exit(2);
        }
        String chatId = args[0];
        Path image = Path.of(args[1]);
        try (BlooioClient client = BlooioClient.fromEnv()) {
            // Per-call options: a timeout for this upload, and its progress on stderr.
            CallOptions upload = CallOptions.builder()
                    .timeout(Duration.ofSeconds(30))
                    .progress((sent, total) -> {
                        System.err.printf("\ruploading: %d%%", total == 0 ? 100 : sent * 100 / total);
                        if (sent == total) {
                            System.err.println();
                        }
                        return true;
                    })
                    .build();
            ChatBackground set = client.setChatBackground(chatId, image, upload);
            System.out.println("set: " + set.toJson() + " [request " + set.requestId().orElse("?") + ", "
                    + set.attempts() + " attempt(s)]");
            ChatBackground got = client.getChatBackground(chatId);
            System.out.println("get: " + got.toJson());
            System.out.println("version " + got.backgroundVersion().orElse(0) + ", url "
                    + got.backgroundUrl().orElse("(none)"));
        } catch (UnauthorizedException e) {
            System.err.println("check BLOOIO_API_KEY: " + e.getMessage());
            System.exit(1);
        } catch (BlooioException e) {
            System.err.println("error (" + e.status().snakeCaseName() + "): " + e.getMessage()
                    + e.requestId().map(id -> " [request " + id + "]").orElse(""));
            System.exit(1);
        }
    }
}
