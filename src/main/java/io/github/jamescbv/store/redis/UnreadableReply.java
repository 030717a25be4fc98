package io.github.jamescbv.store.redis;

/** Redis answered something we did not write or cannot read: the stage that asked fails with this. */
final class UnreadableReply extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnreadableReply(String message) {
        super(message);
    }

    UnreadableReply(String message, Throwable cause) {
        super(message, cause);
    }
}
