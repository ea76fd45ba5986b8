package io.blooionative;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The bundled emulator, started for a test class: {@code blooio.emulator} names the binary
 * (make test-java passes target/debug/blooio-emulator). It runs with --exit-on-stdin-eof and
 * its stdin is a pipe this JVM holds, so it stops when the tests end, however they end.
 */
final class Emulator implements AutoCloseable {
    static final String API_KEY = "bl_test_key_java_0123456789";

    private final Process process;
    final String baseUrl;
    private final String origin;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Emulator(Process process, String baseUrl) {
        this.process = process;
        this.baseUrl = baseUrl;
        URI uri = URI.create(baseUrl);
        this.origin = uri.getScheme() + "://" + uri.getAuthority();
    }

    static Emulator start() throws IOException {
        String bin = System.getProperty("blooio.emulator");
        if (bin == null || bin.isEmpty()) {
            throw new IllegalStateException("set -Dblooio.emulator to the blooio-emulator binary (make test-java does)");
        }
        Process p = new ProcessBuilder(bin, "--listen", "127.0.0.1:0", "--api-key", API_KEY, "--exit-on-stdin-eof",
                "--quiet")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null) {
            throw new IOException("the emulator exited before printing its URL");
        }
        return new Emulator(p, line.trim());
    }

    /** A client of this emulator with the given retries; the caller closes it. */
    BlooioClient client(int maxRetries) {
        return BlooioClient.builder().apiKey(API_KEY).baseUrl(baseUrl).maxRetries(maxRetries).build();
    }

    Object control(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(origin + "/__emulator/" + path))
                .timeout(Duration.ofSeconds(10));
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("content-type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException("emulator " + method + " " + path + ": " + r.statusCode() + " " + r.body());
            }
            String text = r.body();
            return text.isEmpty() ? null : Json.parse(text);
        } catch (IOException e) {
            throw new IllegalStateException("emulator " + method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    void reset() {
        control("POST", "reset", null);
    }

    void script(String faults) {
        control("POST", "script", faults);
    }

    void config(String config) {
        control("POST", "config", config);
    }

    /** The API requests received since the last reset. */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> requests() {
        return (List<Map<String, Object>>) control("GET", "requests", null);
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // it is gone already
        }
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
