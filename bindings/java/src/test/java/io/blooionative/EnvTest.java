package io.blooionative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What the library reads from the environment when a client is built, in a child JVM each (a
 * JVM cannot change its own environment): BLOOIO_LOG prints one line per attempt on stderr
 * without the key, and BLOOIO_CUSTOM_HEADERS adds headers, under the explicit ones.
 */
class EnvTest extends EmulatorTest {
    /** Runs EnvProbe; returns {exit code, stdout, stderr}. */
    static Object[] probe(Map<String, String> env) throws Exception {
        ChildJvm.Result r = ChildJvm.run(EnvProbe.class, e -> {
            e.keySet().removeIf(k -> k.startsWith("BLOOIO_") && !k.equals("BLOOIO_LIBRARY_PATH"));
            e.put("BLOOIO_API_KEY", Emulator.API_KEY);
            e.put("BLOOIO_BASE_URL", emulator.baseUrl);
            e.putAll(env);
        });
        return new Object[] {r.exit(), r.out().trim(), r.err()};
    }

    @Test
    void blooioLogPrintsOneLinePerAttemptOnStderrWithoutTheKey() throws Exception {
        emulator.script("{\"status\":502}");
        Object[] r = probe(Map.of("BLOOIO_LOG", "debug"));
        assertEquals(0, r[0], r[2].toString());
        List<String> lines = Arrays.stream(((String) r[2]).split("\n")).filter(l -> l.startsWith("blooio: "))
                .collect(Collectors.toList());
        assertEquals(3, lines.size(), "two attempts and one retry decision: " + r[2]);
        assertTrue(lines.get(0).startsWith("blooio: GET /v2/api/chats/%2B15551234567/background -> 502 in "),
                lines.get(0));
        assertTrue(lines.get(1).startsWith("blooio: retrying in "), lines.get(1));
        assertTrue(lines.get(2).contains("-> 200 in ") && lines.get(2).contains((String) r[1]), lines.get(2));
        assertFalse(((String) r[2]).contains(Emulator.API_KEY));

        emulator.reset();
        Object[] quiet = probe(Map.of());
        assertEquals(0, quiet[0]);
        assertFalse(((String) quiet[2]).contains("blooio: "), "no BLOOIO_LOG, no lines: " + quiet[2]);
    }

    @Test
    void blooioCustomHeadersAreSentUnderTheExplicitOnes() throws Exception {
        emulator.reset();
        Object[] r = probe(Map.of("BLOOIO_CUSTOM_HEADERS", "X-From-Env: env\n\nX-Both: env\n"));
        assertEquals(0, r[0], r[2].toString());
        Map<String, Object> request = emulator.requests().get(0);
        assertEquals(List.of("env"), CallOptionsTest.header(request, "x-from-env"));
        assertEquals(List.of("explicit"), CallOptionsTest.header(request, "x-both"));

        emulator.reset();
        Object[] bad = probe(Map.of("BLOOIO_CUSTOM_HEADERS", "Authorization: Bearer other"));
        assertEquals(3, bad[0], bad[2].toString());
        String message = (String) bad[2];
        assertTrue(message.contains("BLOOIO_CUSTOM_HEADERS") && message.toLowerCase().contains("authorization"),
                message);
        assertEquals(List.of(), emulator.requests(), "nothing was sent");
    }
}
