package io.blooionative;

/** An attempt ran out of time ({@link Status#TIMEOUT}), after the retries allowed. */
public class ApiTimeoutException extends ApiConnectionException {
    private static final long serialVersionUID = 1L;

    ApiTimeoutException(Detail detail) {
        super(detail);
    }
}
