package io.blooionative;

/** The connection could not be made or was lost ({@link Status#CONNECTION}), after the retries allowed. */
public class ApiConnectionException extends BlooioException {
    private static final long serialVersionUID = 1L;

    ApiConnectionException(Detail detail) {
        super(detail);
    }
}
