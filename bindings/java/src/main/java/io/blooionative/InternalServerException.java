package io.blooionative;

/** HTTP 5xx ({@link Status#SERVER_ERROR}, or one of the subclasses for 502 and 503). Retried before it is thrown (a 503 only when the server said when). */
public class InternalServerException extends BlooioServiceException {
    private static final long serialVersionUID = 1L;

    InternalServerException(Detail detail) {
        super(detail);
    }
}
