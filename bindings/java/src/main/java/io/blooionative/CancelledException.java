package io.blooionative;

/**
 * The call was stopped before it ended ({@link Status#CANCELLED}): its {@link CancelToken} was
 * cancelled, its {@code CompletableFuture} was cancelled, or its progress listener returned
 * {@code false}. The connection it used is closed, not reused; {@link #attempts()} says how many
 * attempts had started (0 when the token was cancelled before the call began: nothing was sent).
 */
public class CancelledException extends BlooioException {
    private static final long serialVersionUID = 1L;

    CancelledException(Detail detail) {
        super(detail);
    }
}
