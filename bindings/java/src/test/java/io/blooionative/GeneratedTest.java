package io.blooionative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blooionative.internal.BlooioLibrary;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What the generated declarations imply for the hand-written API: a new option in the header
 * (once `make java-bindings` has run) fails here until the builder offers it.
 */
class GeneratedTest {
    /** {@code blooio_options_set_connect_timeout_ms} -> {@code connectTimeout}. */
    static String builderName(String function) {
        String rest = function.substring("blooio_options_set_".length()).replaceFirst("_ms$", "");
        StringBuilder b = new StringBuilder();
        boolean upper = false;
        for (char c : rest.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                b.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return b.toString();
    }

    @Test
    void theBuilderOffersEveryOptionOfTheCApi() {
        Set<String> offered = Arrays.stream(BlooioClient.Builder.class.getDeclaredMethods())
                .filter(m -> java.lang.reflect.Modifier.isPublic(m.getModifiers()))
                .map(Method::getName)
                .collect(Collectors.toSet());
        List<String> missing = new ArrayList<>();
        int options = 0;
        for (Method m : BlooioLibrary.class.getDeclaredMethods()) {
            if (m.getName().startsWith("blooio_options_set_")) {
                options++;
                // The binding's own name is the binding's to set, not the user's.
                // The log callback is Java's own logging: Builder.logger.
                String name = m.getName().equals("blooio_options_set_log_callback") ? "logger" : builderName(m.getName());
                if (!m.getName().equals("blooio_options_set_binding") && !offered.contains(name)) {
                    missing.add(m.getName() + " -> Builder." + name);
                }
            }
        }
        assertTrue(options >= 7, "the header's options: " + options);
        assertEquals(List.of(), missing, "options of the C API the builder lacks");
    }

    @Test
    void everyStatusHasItsExceptionClass() {
        java.util.Map<Status, Class<?>> expected = new java.util.EnumMap<>(Status.class);
        expected.put(Status.INVALID_ARGUMENT, InvalidArgumentException.class);
        expected.put(Status.INVALID_CONFIG, InvalidConfigException.class);
        expected.put(Status.INVALID_CHAT_ID, InvalidChatIdException.class);
        expected.put(Status.INVALID_IMAGE, InvalidImageException.class);
        expected.put(Status.IO, ImageFileException.class);
        expected.put(Status.BAD_REQUEST, BadRequestException.class);
        expected.put(Status.AUTHENTICATION, UnauthorizedException.class);
        expected.put(Status.RATE_LIMITED, RateLimitException.class);
        expected.put(Status.DEVICE_UNAVAILABLE, DeviceUnavailableException.class);
        expected.put(Status.NO_ACTIVE_NUMBER, NoActiveNumberException.class);
        expected.put(Status.SERVER_ERROR, InternalServerException.class);
        expected.put(Status.HTTP_STATUS, UnexpectedStatusCodeException.class);
        expected.put(Status.TIMEOUT, ApiTimeoutException.class);
        expected.put(Status.CONNECTION, ApiConnectionException.class);
        expected.put(Status.DECODE, ResponseDecodeException.class);
        expected.put(Status.TLS, TlsException.class);
        for (Status status : Status.values()) {
            if (status == Status.OK) {
                continue;
            }
            BlooioException e = Errors.local(status, "m");
            // A status with no class of its own (PANIC, OTHER, one added later) is the base class.
            assertEquals(expected.getOrDefault(status, BlooioException.class), e.getClass(), status.name());
            assertEquals(status, e.status());
            assertEquals(0, e.attempts());
        }
    }

    @Test
    void everyFunctionOfTheHeaderIsDeclaredOnce() {
        List<String> names = Arrays.stream(BlooioLibrary.class.getDeclaredMethods()).map(Method::getName)
                .collect(Collectors.toList());
        assertEquals(names.size(), Set.copyOf(names).size());
        assertTrue(names.containsAll(List.of("blooio_client_new", "blooio_get_chat_background",
                "blooio_set_chat_background_file", "blooio_set_chat_background_bytes", "blooio_error_retry_after_ms")));
    }
}
