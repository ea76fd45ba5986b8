package io.blooionative;

/** The image is empty, over 10 MiB, or not a JPEG, PNG, GIF, WebP, HEIC or HEIF ({@link Status#INVALID_IMAGE}). Nothing was sent. */
public class InvalidImageException extends BlooioException {
    private static final long serialVersionUID = 1L;

    InvalidImageException(Detail detail) {
        super(detail);
    }
}
