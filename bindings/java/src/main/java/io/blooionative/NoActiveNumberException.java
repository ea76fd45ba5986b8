package io.blooionative;

/** HTTP 503 ({@link Status#NO_ACTIVE_NUMBER}): the account has no active number. */
public class NoActiveNumberException extends InternalServerException {
    private static final long serialVersionUID = 1L;

    NoActiveNumberException(Detail detail) {
        super(detail);
    }
}
