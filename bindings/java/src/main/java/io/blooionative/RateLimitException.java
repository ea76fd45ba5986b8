package io.blooionative;

/** HTTP 429 ({@link Status#RATE_LIMITED}): too many requests; see {@link #retryAfter()}. Retried before it is thrown. */
public class RateLimitException extends BlooioServiceException {
    private static final long serialVersionUID = 1L;

    RateLimitException(Detail detail) {
        super(detail);
    }
}
