package io.blooionative;

/** HTTP 404 ({@link Status#HTTP_STATUS}). Not retried. */
public class NotFoundException extends BlooioServiceException {
    private static final long serialVersionUID = 1L;

    NotFoundException(Detail detail) {
        super(detail);
    }
}
