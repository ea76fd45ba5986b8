package io.blooionative;

/** HTTP 400 ({@link Status#BAD_REQUEST}): the API refused the request's parameters. Not retried. */
public class BadRequestException extends BlooioServiceException {
    private static final long serialVersionUID = 1L;

    BadRequestException(Detail detail) {
        super(detail);
    }
}
