package io.blooionative;

/** A success response whose body is not a chat background ({@link Status#DECODE}). */
public class ResponseDecodeException extends BlooioException {
    private static final long serialVersionUID = 1L;

    ResponseDecodeException(Detail detail) {
        super(detail);
    }
}
