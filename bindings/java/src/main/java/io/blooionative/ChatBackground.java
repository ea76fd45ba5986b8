package io.blooionative;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.ByteByReference;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import io.blooionative.internal.BlooioLibrary;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A chat's background, as the server answered a get or a set. Immutable; every field may be
 * absent (the server did not send it, or sent null), and absent stays distinct from
 * {@code false}, 0 or "". {@link #changed()} is only present in answer to a set.
 */
public final class ChatBackground {
    private final String chatId;
    private final Boolean hasBackground;
    private final String backgroundId;
    private final String backgroundUrl;
    private final Long backgroundVersion;
    private final Boolean changed;
    private final String json;
    private final String requestId;
    private final int attempts;

    private ChatBackground(String chatId, Boolean hasBackground, String backgroundId, String backgroundUrl,
            Long backgroundVersion, Boolean changed, String json, String requestId, int attempts) {
        this.chatId = chatId;
        this.hasBackground = hasBackground;
        this.backgroundId = backgroundId;
        this.backgroundUrl = backgroundUrl;
        this.backgroundVersion = backgroundVersion;
        this.changed = changed;
        this.json = json;
        this.requestId = requestId;
        this.attempts = attempts;
    }

    /** Copies everything out of a {@code blooio_background} and frees it, whatever happens. */
    static ChatBackground take(Pointer background) {
        Native.taken(Native.Kind.BACKGROUND, background);
        BlooioLibrary lib = Native.lib();
        try {
            ByteByReference present = new ByteByReference();
            PointerByReference text = new PointerByReference();
            ByteByReference flag = new ByteByReference();
            LongByReference number = new LongByReference();

            check(lib.blooio_background_chat_id(background, present, text), "chat_id");
            String chatId = present.getValue() != 0 ? Native.string(text.getValue()) : null;
            check(lib.blooio_background_has_background(background, present, flag), "has_background");
            Boolean hasBackground = present.getValue() != 0 ? flag.getValue() != 0 : null;
            check(lib.blooio_background_background_id(background, present, text), "background_id");
            String backgroundId = present.getValue() != 0 ? Native.string(text.getValue()) : null;
            check(lib.blooio_background_background_url(background, present, text), "background_url");
            String backgroundUrl = present.getValue() != 0 ? Native.string(text.getValue()) : null;
            check(lib.blooio_background_background_version(background, present, number), "background_version");
            Long backgroundVersion = present.getValue() != 0 ? number.getValue() : null;
            check(lib.blooio_background_changed(background, present, flag), "changed");
            Boolean changed = present.getValue() != 0 ? flag.getValue() != 0 : null;
            check(lib.blooio_background_request_id(background, present, text), "request_id");
            String requestId = present.getValue() != 0 ? Native.string(text.getValue()) : null;
            IntByReference count = new IntByReference();
            check(lib.blooio_background_attempts(background, present, count), "attempts");
            int attempts = present.getValue() != 0 ? count.getValue() : 1;

            PointerByReference jsonOut = new PointerByReference();
            PointerByReference error = new PointerByReference();
            int status = lib.blooio_background_to_json(background, jsonOut, error);
            if (status != 0) {
                throw Errors.take(status, error.getValue());
            }
            Pointer json = Native.taken(Native.Kind.STRING, jsonOut.getValue());
            String jsonText;
            try {
                jsonText = Native.string(json);
            } finally {
                lib.blooio_string_free(json);
                Native.released(Native.Kind.STRING, json);
            }
            return new ChatBackground(chatId, hasBackground, backgroundId, backgroundUrl, backgroundVersion,
                    changed, jsonText, requestId, attempts);
        } finally {
            lib.blooio_background_free(background);
            Native.released(Native.Kind.BACKGROUND, background);
        }
    }

    private static void check(int status, String field) {
        if (status != 0) {
            throw Errors.local(Status.fromCode(status), "libblooio could not read the background's " + field
                    + " (status " + Status.fromCode(status).snakeCaseName() + ")");
        }
    }

    /** The normalised chat id the server answered for. */
    public Optional<String> chatId() {
        return Optional.ofNullable(chatId);
    }

    /** Whether the chat has a background. */
    public Optional<Boolean> hasBackground() {
        return Optional.ofNullable(hasBackground);
    }

    /** The current background's id (absent when the chat has none). */
    public Optional<String> backgroundId() {
        return Optional.ofNullable(backgroundId);
    }

    /** A public URL of the stored image. */
    public Optional<String> backgroundUrl() {
        return Optional.ofNullable(backgroundUrl);
    }

    /** The background's version, for cache invalidation. */
    public OptionalLong backgroundVersion() {
        return backgroundVersion == null ? OptionalLong.empty() : OptionalLong.of(backgroundVersion);
    }

    /** Whether the set call changed the background; absent in answer to a get. */
    public Optional<Boolean> changed() {
        return Optional.ofNullable(changed);
    }

    /**
     * The answer's {@code x-request-id}: quote it to Blooio support. Not part of
     * {@link #toJson()}, {@link #equals} or {@link #hashCode} (it names the call, not the
     * background).
     */
    public Optional<String> requestId() {
        return Optional.ofNullable(requestId);
    }

    /** How many HTTP attempts the call took: 1, or more when it was retried. */
    public int attempts() {
        return attempts;
    }

    /**
     * The fields that are present, as the library writes them: a compact JSON object such as
     * {@code {"chat_id":"+15551234567","has_background":true,"background_version":3}}.
     */
    public String toJson() {
        return json;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ChatBackground)) {
            return false;
        }
        ChatBackground other = (ChatBackground) o;
        return Objects.equals(chatId, other.chatId) && Objects.equals(hasBackground, other.hasBackground)
                && Objects.equals(backgroundId, other.backgroundId)
                && Objects.equals(backgroundUrl, other.backgroundUrl)
                && Objects.equals(backgroundVersion, other.backgroundVersion)
                && Objects.equals(changed, other.changed);
    }

    @Override
    public int hashCode() {
        return Objects.hash(chatId, hasBackground, backgroundId, backgroundUrl, backgroundVersion, changed);
    }

    @Override
    public String toString() {
        return "ChatBackground" + json + (requestId != null ? " (request id " + requestId + ")" : "");
    }
}
