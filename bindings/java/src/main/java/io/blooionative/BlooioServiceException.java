package io.blooionative;

/** The server answered with an error status: {@link #httpStatus()} is set. The official Java SDK's parent of its HTTP exceptions. */
public class BlooioServiceException extends BlooioException {
    private static final long serialVersionUID = 1L;

    BlooioServiceException(Detail detail) {
        super(detail);
    }
}
