package io.blooionative;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Options for one call, passed to the overloads of {@link BlooioClient}'s calls that take them:
 *
 * <pre>{@code
 * CancelToken token = new CancelToken();
 * CallOptions options = CallOptions.builder()
 *         .timeout(Duration.ofSeconds(5))             // instead of the client's, for this call
 *         .header("X-Trace-Id", "abc123")             // repeatable; wins over default headers
 *         .progress((sent, total) -> true)            // uploads only; false stops the upload
 *         .cancelToken(token)                         // token.cancel() from any thread stops it
 *         .build();
 * client.setChatBackground("+15551234567", Path.of("beach.jpg"), options);
 * }</pre>
 *
 * <p>Immutable, and reusable by any number of calls at once. The library checks the values
 * when a call starts, before anything is sent: a timeout of 0 or above its maximum, a header
 * name that is not an HTTP token, a CR, LF or NUL, or a header the library owns
 * (Authorization, Content-Type, Content-Length, Host, Transfer-Encoding) makes the call throw
 * {@link InvalidConfigException} ({@link InvalidArgumentException} for text no C string can
 * hold, and for a negative timeout) and send nothing.
 */
public final class CallOptions {
    /** No options: the client's settings. */
    public static final CallOptions NONE = builder().build();

    private final Duration timeout;
    private final List<Map.Entry<String, String>> headers;
    private final ProgressListener progress;
    private final CancelToken cancelToken;

    private CallOptions(Builder b) {
        this.timeout = b.timeout;
        this.headers = List.copyOf(b.headers);
        this.progress = b.progress;
        this.cancelToken = b.cancelToken;
    }

    /** A builder with nothing set. */
    public static Builder builder() {
        return new Builder();
    }

    /** The timeout of each attempt of this call, when it overrides the client's. */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /** The extra headers, in the order given. */
    public List<Map.Entry<String, String>> headers() {
        return headers;
    }

    /** The upload progress listener. */
    public Optional<ProgressListener> progress() {
        return Optional.ofNullable(progress);
    }

    /** The token that cancels this call. */
    public Optional<CancelToken> cancelToken() {
        return Optional.ofNullable(cancelToken);
    }

    boolean isEmpty() {
        return timeout == null && headers.isEmpty() && progress == null && cancelToken == null;
    }

    @Override
    public String toString() {
        // Header values may be secrets of the caller's: names only.
        StringBuilder names = new StringBuilder();
        for (Map.Entry<String, String> h : headers) {
            names.append(names.length() == 0 ? "" : ",").append(h.getKey());
        }
        return "CallOptions[timeout=" + timeout + ", headers=[" + names + "], progress=" + (progress != null)
                + ", cancelToken=" + (cancelToken != null) + "]";
    }

    /** Builds {@link CallOptions}; not thread-safe. */
    public static final class Builder {
        private Duration timeout;
        private final List<Map.Entry<String, String>> headers = new ArrayList<>();
        private ProgressListener progress;
        private CancelToken cancelToken;

        private Builder() {}

        /**
         * How long each attempt of this call may take (whole milliseconds, over 0), instead of
         * the client's {@link BlooioClient.Builder#timeout}.
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * An extra request header for this call. Wins by name (case-insensitive) over the
         * client's default headers, and a later call with the same name over an earlier one.
         */
        public Builder header(String name, String value) {
            headers.add(Map.entry(Objects.requireNonNull(name, "header name"), Objects.requireNonNull(value, "header value")));
            return this;
        }

        /** Told the upload's progress (set calls only; a get sends no body). */
        public Builder progress(ProgressListener progress) {
            this.progress = Objects.requireNonNull(progress, "progress");
            return this;
        }

        /** A token whose {@link CancelToken#cancel()} stops this call. */
        public Builder cancelToken(CancelToken cancelToken) {
            this.cancelToken = Objects.requireNonNull(cancelToken, "cancelToken");
            return this;
        }

        public CallOptions build() {
            return new CallOptions(this);
        }
    }
}
