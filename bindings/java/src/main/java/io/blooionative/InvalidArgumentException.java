package io.blooionative;

/** An argument the library cannot take ({@link Status#INVALID_ARGUMENT}): null where a value is needed, text no C string can hold, a number out of range, a closed client. Nothing was sent. */
public class InvalidArgumentException extends BlooioException {
    private static final long serialVersionUID = 1L;

    InvalidArgumentException(Detail detail) {
        super(detail);
    }
}
