package io.blooionative;

/** The client's configuration is unusable ({@link Status#INVALID_CONFIG}): no API key, a bad base URL, plain http to a remote host without the opt-in. Thrown by {@code build()}; nothing was sent. */
public class InvalidConfigException extends BlooioException {
    private static final long serialVersionUID = 1L;

    InvalidConfigException(Detail detail) {
        super(detail);
    }
}
