package io.blooionative;

/** HTTP 422 ({@link Status#HTTP_STATUS}). Not retried. */
public class UnprocessableEntityException extends BlooioServiceException {
    private static final long serialVersionUID = 1L;

    UnprocessableEntityException(Detail detail) {
        super(detail);
    }
}
