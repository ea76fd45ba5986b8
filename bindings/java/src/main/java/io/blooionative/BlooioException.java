package io.blooionative;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A failed call: the library's {@link Status}, its message (complete and actionable; it never
 * contains the API key) and, for a failure after sending, what the server said.
 *
 * <p>Unchecked. Catch a subclass to handle one kind of failure: the HTTP ones are
 * {@link BlooioServiceException}s named as in the official Java SDK
 * ({@link UnauthorizedException}, {@link RateLimitException}, ...); the local ones say why
 * nothing was sent ({@link InvalidChatIdException}, {@link InvalidImageException}, ...) or why
 * no answer came ({@link ApiConnectionException}, {@link ApiTimeoutException}). A status this
 * binding has no subclass for ({@link Status#PANIC}, {@link Status#OTHER}) is a plain
 * {@code BlooioException}.
 */
public class BlooioException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What a failure carries; filled from a {@code blooio_error}, or by the binding itself. */
    record Detail(Status status, String message, int httpStatus, String serverMessage, String serverCode,
            String requestId, int attempts, Long retryAfterMs) implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
    }

    private final Detail detail;

    BlooioException(Detail detail) {
        super(detail.message());
        this.detail = detail;
    }

    /** The library's status for this failure (never {@link Status#OK}). */
    public Status status() {
        return detail.status();
    }

    /** The HTTP status of the last response; empty when none came (or nothing was sent). */
    public OptionalInt httpStatus() {
        return detail.httpStatus() == 0 ? OptionalInt.empty() : OptionalInt.of(detail.httpStatus());
    }

    /** The server's own message from its error body (or a snippet of a non-JSON body). */
    public Optional<String> serverMessage() {
        return Optional.ofNullable(detail.serverMessage());
    }

    /** The server's error code from its error body, as text. */
    public Optional<String> serverCode() {
        return Optional.ofNullable(detail.serverCode());
    }

    /** The {@code x-request-id} of the last response: quote it to Blooio support. */
    public Optional<String> requestId() {
        return Optional.ofNullable(detail.requestId());
    }

    /** HTTP attempts made: 0 when the call was refused before sending, over 1 when retried. */
    public int attempts() {
        return detail.attempts();
    }

    /** How long the server asked to wait, when it said so and the library did not wait itself. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(detail.retryAfterMs()).map(Duration::ofMillis);
    }
}
