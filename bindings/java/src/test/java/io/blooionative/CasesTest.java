package io.blooionative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared case table (tests/cases/cases.json, format in tests/cases/README.md) through the
 * Java binding: every row, no per-row code. $BLOOIO_CASES may name another table.
 */
class CasesTest extends EmulatorTest {
    static Path table() {
        String env = System.getenv("BLOOIO_CASES");
        return env != null && !env.isEmpty() ? Path.of(env) : Path.of("..", "..", "tests", "cases", "cases.json");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o == null ? Map.of() : (Map<String, Object>) o;
    }

    static byte[] hex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    /** A fixture's bytes, or (asFile) the path of a file holding them, a missing path or a directory. */
    static Object image(Map<String, Object> fixtures, String name, boolean asFile, Path tmp) throws IOException {
        Map<String, Object> spec = map(fixtures.get(name));
        assertTrue(!spec.isEmpty(), "no fixture " + name);
        if (Boolean.TRUE.equals(spec.get("missing"))) {
            return tmp.resolve(name + "-does-not-exist.png");
        }
        if (Boolean.TRUE.equals(spec.get("directory"))) {
            return Files.createDirectories(tmp.resolve(name + "-directory"));
        }
        byte[] data;
        if (spec.containsKey("hex")) {
            data = hex((String) spec.get("hex"));
        } else {
            byte[] head = hex((String) map(fixtures.get((String) spec.get("starts_with"))).get("hex"));
            data = new byte[((Long) spec.get("size")).intValue()];
            System.arraycopy(head, 0, data, 0, head.length);
        }
        return asFile ? Files.write(tmp.resolve(name + ".img"), data) : data;
    }

    /** What a call gave, in the table's terms. */
    static final class Outcome {
        String status;
        Long httpStatus;
        long attempts;
        Long retryAfterMs;
        Map<String, Object> background = Map.of();
    }

    static Outcome run(Map<String, Object> fixtures, Map<String, Object> row, Path tmp) throws IOException {
        Map<String, Object> c = map(row.get("client"));
        BlooioClient.Builder builder = BlooioClient.builder()
                .apiKey(c.containsKey("api_key") ? (String) c.get("api_key") : Emulator.API_KEY)
                .baseUrl(c.containsKey("base_url") ? (String) c.get("base_url") : emulator.baseUrl)
                .maxRetries(c.containsKey("max_retries") ? ((Long) c.get("max_retries")).intValue() : 0);
        if (c.containsKey("timeout_ms")) {
            builder.timeout(Duration.ofMillis((Long) c.get("timeout_ms")));
        }
        String chat = (String) row.get("chat_id");
        Outcome out = new Outcome();
        try {
            BlooioClient client = builder.build();
            ChatBackground bg;
            try {
                if (Boolean.TRUE.equals(row.get("closed"))) {
                    client.close();
                }
                switch ((String) row.get("call")) {
                    case "get":
                        bg = client.getChatBackground(chat);
                        break;
                    case "set_file":
                        bg = client.setChatBackground(chat, (Path) image(fixtures, (String) row.get("image"), true, tmp));
                        break;
                    case "set_bytes":
                        byte[] data = Boolean.TRUE.equals(row.get("null_data")) ? null
                                : (byte[]) image(fixtures, (String) row.get("image"), false, tmp);
                        bg = client.setChatBackground(chat, data);
                        break;
                    default:
                        throw new AssertionError(row.get("name") + ": unknown call " + row.get("call"));
                }
            } finally {
                client.close();
            }
            out.status = "OK";
            out.background = map(Json.parse(bg.toJson()));
        } catch (BlooioException e) {
            out.status = e.status().name();
            out.httpStatus = e.httpStatus().isPresent() ? (Long) (long) e.httpStatus().getAsInt() : null;
            out.attempts = e.attempts();
            out.retryAfterMs = e.retryAfter().map(Duration::toMillis).orElse(null);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static List<String> check(Map<String, Object> expect, Outcome got, List<Map<String, Object>> records) {
        List<String> wrong = new ArrayList<>();
        java.util.function.BiConsumer<String, Object[]> same = (what, pair) -> {
            if (!Objects.equals(pair[0], pair[1])) {
                wrong.add(what + ": got " + pair[0] + ", expected " + pair[1]);
            }
        };
        same.accept("status", new Object[] {got.status, expect.get("status")});
        same.accept("requests recorded", new Object[] {(long) records.size(), expect.get("requests")});
        if (got.status.equals("OK")) {
            same.accept("attempts (requests recorded)", new Object[] {(long) records.size(), expect.get("attempts")});
        } else {
            same.accept("attempts", new Object[] {got.attempts, expect.get("attempts")});
            if (expect.containsKey("http_status")) {
                same.accept("http_status", new Object[] {got.httpStatus, expect.get("http_status")});
            }
            if (expect.containsKey("retry_after_ms")) {
                same.accept("retry_after_ms", new Object[] {got.retryAfterMs, expect.get("retry_after_ms")});
            }
        }
        if (expect.containsKey("raw_path")) {
            for (int i = 0; i < records.size(); i++) {
                same.accept("request " + (i + 1) + " raw_path",
                        new Object[] {records.get(i).get("raw_path"), expect.get("raw_path")});
            }
        }
        if (expect.containsKey("part")) {
            Map<String, Object> want = map(expect.get("part"));
            List<Map<String, Object>> parts = records.isEmpty() ? List.of()
                    : (List<Map<String, Object>>) records.get(records.size() - 1).get("parts");
            if (parts.size() != 1) {
                wrong.add("the last request does not have exactly one multipart part");
            } else {
                same.accept("part name", new Object[] {parts.get(0).get("name"), want.get("name")});
                same.accept("part content_type", new Object[] {parts.get(0).get("content_type"), want.get("content_type")});
            }
        }
        if (expect.containsKey("background") && got.status.equals("OK")) {
            for (Map.Entry<String, Object> field : map(expect.get("background")).entrySet()) {
                same.accept("background." + field.getKey(),
                        new Object[] {got.background.get(field.getKey()), field.getValue()});
            }
        }
        return wrong;
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyRowOfTheSharedTable(@TempDir Path tmp) throws IOException {
        Map<String, Object> table = map(Json.parse(Files.readString(table(), StandardCharsets.UTF_8)));
        List<Object> cases = (List<Object>) table.get("cases");
        assertTrue(cases != null && !cases.isEmpty(), table() + " has no cases");
        Map<String, Object> fixtures = map(table.get("fixtures"));
        long before = Native.liveHandles();
        Freed.reset();
        List<String> failures = new ArrayList<>();
        for (Object o : cases) {
            Map<String, Object> row = map(o);
            emulator.reset();
            if (row.containsKey("config")) {
                emulator.config(Json.write(row.get("config")));
            }
            if (row.containsKey("script")) {
                emulator.script(Json.write(row.get("script")));
            }
            Outcome got = run(fixtures, row, tmp);
            List<String> wrong = check(map(row.get("expect")), got, emulator.requests());
            if (!wrong.isEmpty()) {
                failures.add("case " + row.get("name") + ":\n    " + String.join("\n    ", wrong));
            }
        }
        System.out.println("java: ran " + cases.size() + " cases from " + table() + " (" + failures.size() + " failed)");
        assertEquals(List.of(), failures);
        assertEquals(before, Native.liveHandles(), "live handles before and after the cases");
        Freed.check();
    }
}
