package io.blooionative;

/** The chat id cannot name a chat ({@link Status#INVALID_CHAT_ID}). Nothing was sent. */
public class InvalidChatIdException extends BlooioException {
    private static final long serialVersionUID = 1L;

    InvalidChatIdException(Detail detail) {
        super(detail);
    }
}
