package io.blooionative;

/** HTTP 401 ({@link Status#AUTHENTICATION}): the API key is missing, wrong or revoked. Not retried. */
public class UnauthorizedException extends BlooioServiceException {
    private static final long serialVersionUID = 1L;

    UnauthorizedException(Detail detail) {
        super(detail);
    }
}
