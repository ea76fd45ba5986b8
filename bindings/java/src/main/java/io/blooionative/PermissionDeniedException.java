package io.blooionative;

/** HTTP 403 ({@link Status#HTTP_STATUS}): the key may not do this. Not retried. */
public class PermissionDeniedException extends BlooioServiceException {
    private static final long serialVersionUID = 1L;

    PermissionDeniedException(Detail detail) {
        super(detail);
    }
}
