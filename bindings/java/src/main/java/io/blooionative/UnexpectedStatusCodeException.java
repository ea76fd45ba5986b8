package io.blooionative;

/** Any other HTTP status ({@link Status#HTTP_STATUS}): a redirect, 408, 409, ... */
public class UnexpectedStatusCodeException extends BlooioServiceException {
    private static final long serialVersionUID = 1L;

    UnexpectedStatusCodeException(Detail detail) {
        super(detail);
    }
}
