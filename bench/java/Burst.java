// `make bench`'s concurrency section for Java: N getChatBackgroundAsync calls at once on one
// client (by default they run on libblooio's own threads; no Java thread waits on the network).
//
//     java -cp blooio-native.jar:jna.jar bench/java/Burst.java BASE_URL API_KEY CHAT N ROUNDS
//
// Prints one JSON object. One warm-up burst first. BLOOIO_LIBRARY_PATH picks the library.

import io.blooionative.BlooioClient;
import io.blooionative.ChatBackground;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

public class Burst {
    public static void main(String[] args) {
        if (args.length != 5) {
            System.err.println("usage: Burst BASE_URL API_KEY CHAT N ROUNDS");
            System.exit(2);
        }
        int n = Integer.parseInt(args[3]);
        int rounds = Integer.parseInt(args[4]);
        List<Long> wall = new ArrayList<>();
        try (BlooioClient client = BlooioClient.builder().baseUrl(args[0]).apiKey(args[1]).maxRetries(0).build()) {
            for (int r = 0; r <= rounds; r++) {
                long start = System.nanoTime();
                List<CompletableFuture<ChatBackground>> calls = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    calls.add(client.getChatBackgroundAsync(args[2]));
                }
                CompletableFuture.allOf(calls.toArray(new CompletableFuture[0])).join();
                if (r > 0) {
                    wall.add(System.nanoTime() - start);
                }
            }
        }
        String ns = wall.stream().map(String::valueOf).collect(Collectors.joining(","));
        System.out.println("{\"client\":\"java\",\"n\":" + n + ",\"wall_ns\":[" + ns + "]}");
    }
}
