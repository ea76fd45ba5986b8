package io.blooionative;

/**
 * Told how much of an upload's request body has been sent, as it is sent
 * ({@link CallOptions.Builder#progress}). {@code total} is the whole body's length in bytes
 * (the multipart body, so a little more than the image), and the last call has
 * {@code sent == total}. A retried upload starts again from 0.
 *
 * <p>Runs on the thread that runs the call: the caller's for a synchronous call, one of
 * libblooio's for an async one, so keep it short. Return {@code false} to stop the upload: the
 * call then fails with {@link CancelledException}. An exception thrown here stops it too, and
 * the call throws that exception (an async call's future fails with it).
 */
@FunctionalInterface
public interface ProgressListener {
    /** Returns whether to go on. */
    boolean onProgress(long sent, long total);
}
