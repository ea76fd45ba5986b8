package io.blooionative;

/** The image file could not be opened or read ({@link Status#IO}); the message names it. Nothing was sent. */
public class ImageFileException extends BlooioException {
    private static final long serialVersionUID = 1L;

    ImageFileException(Detail detail) {
        super(detail);
    }
}
