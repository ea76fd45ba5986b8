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
    static final class Detail {
        final Status status;
        final String message;
        final int httpStatus;
        final String serverMessage;
        final String serverCode;
        final String requestId;
        final int attempts;
        final Long retryAfterMs;

        Detail(Status status, String message, int httpStatus, String serverMessage, String serverCode,
                String requestId, int attempts, Long retryAfterMs) {
            this.status = status;
            this.message = message;
            this.httpStatus = httpStatus;
            this.serverMessage = serverMessage;
            this.serverCode = serverCode;
            this.requestId = requestId;
            this.attempts = attempts;
            this.retryAfterMs = retryAfterMs;
        }
    }

    private final Status status;
    private final int httpStatus;
    private final String serverMessage;
    private final String serverCode;
    private final String requestId;
    private final int attempts;
    private final Long retryAfterMs;

    BlooioException(Detail detail) {
        super(detail.message);
        this.status = detail.status;
        this.httpStatus = detail.httpStatus;
        this.serverMessage = detail.serverMessage;
        this.serverCode = detail.serverCode;
        this.requestId = detail.requestId;
        this.attempts = detail.attempts;
        this.retryAfterMs = detail.retryAfterMs;
    }

    /** The library's status for this failure (never {@link Status#OK}). */
    public Status status() {
        return status;
    }

    /** The HTTP status of the last response; empty when none came (or nothing was sent). */
    public OptionalInt httpStatus() {
        return httpStatus == 0 ? OptionalInt.empty() : OptionalInt.of(httpStatus);
    }

    /** The server's own message from its error body (or a snippet of a non-JSON body). */
    public Optional<String> serverMessage() {
        return Optional.ofNullable(serverMessage);
    }

    /** The server's error code from its error body, as text. */
    public Optional<String> serverCode() {
        return Optional.ofNullable(serverCode);
    }

    /** The {@code x-request-id} of the last response: quote it to Blooio support. */
    public Optional<String> requestId() {
        return Optional.ofNullable(requestId);
    }

    /** HTTP attempts made: 0 when the call was refused before sending, over 1 when retried. */
    public int attempts() {
        return attempts;
    }

    /** How long the server asked to wait, when it said so and the library did not wait itself. */
    public Optional<Duration> retryAfter() {
        return retryAfterMs == null ? Optional.empty() : Optional.of(Duration.ofMillis(retryAfterMs));
    }
}
