package io.blooionative;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import io.blooionative.internal.BlooioLibrary;

/** Turns a failed call's {@code blooio_error} into the matching {@link BlooioException}. */
final class Errors {
    private Errors() {}

    /**
     * The exception for a call that returned {@code code}, read from {@code error} (which may
     * be null when the library could not make one), and {@code error} freed, whatever happens.
     */
    static BlooioException take(int code, Pointer error) {
        Native.taken(Native.Kind.ERROR, error);
        BlooioLibrary lib = Native.lib();
        try {
            if (error == null) {
                return create(new BlooioException.Detail(Status.fromCode(code),
                        "libblooio failed with status " + code + " (" + Native.string(lib.blooio_status_name(code))
                                + ") and gave no error detail", 0, null, null, null, 0, null));
            }
            LongByReference retryAfter = new LongByReference();
            boolean waits = lib.blooio_error_retry_after_ms(error, retryAfter) != 0;
            String message = Native.string(lib.blooio_error_message(error));
            return create(new BlooioException.Detail(
                    Status.fromCode(lib.blooio_error_status(error)),
                    message != null ? message : "libblooio failed with status " + code,
                    Short.toUnsignedInt(lib.blooio_error_http_status(error)),
                    Native.string(lib.blooio_error_server_message(error)),
                    Native.string(lib.blooio_error_server_code(error)),
                    Native.string(lib.blooio_error_request_id(error)),
                    lib.blooio_error_attempts(error),
                    waits ? retryAfter.getValue() : null));
        } finally {
            lib.blooio_error_free(error);
            Native.released(Native.Kind.ERROR, error);
        }
    }

    /** An exception the binding raises itself, before calling the library: nothing was sent. */
    static BlooioException local(Status status, String message) {
        return create(new BlooioException.Detail(status, message, 0, null, null, null, 0, null));
    }

    static BlooioException create(BlooioException.Detail d) {
        switch (d.status()) {
            case INVALID_ARGUMENT:
                return new InvalidArgumentException(d);
            case INVALID_CONFIG:
                return new InvalidConfigException(d);
            case INVALID_CHAT_ID:
                return new InvalidChatIdException(d);
            case INVALID_IMAGE:
                return new InvalidImageException(d);
            case IO:
                return new ImageFileException(d);
            case BAD_REQUEST:
                return new BadRequestException(d);
            case AUTHENTICATION:
                return new UnauthorizedException(d);
            case RATE_LIMITED:
                return new RateLimitException(d);
            case DEVICE_UNAVAILABLE:
                return new DeviceUnavailableException(d);
            case NO_ACTIVE_NUMBER:
                return new NoActiveNumberException(d);
            case SERVER_ERROR:
                return new InternalServerException(d);
            case HTTP_STATUS:
                switch (d.httpStatus()) {
                    case 403:
                        return new PermissionDeniedException(d);
                    case 404:
                        return new NotFoundException(d);
                    case 422:
                        return new UnprocessableEntityException(d);
                    default:
                        return new UnexpectedStatusCodeException(d);
                }
            case TIMEOUT:
                return new ApiTimeoutException(d);
            case CONNECTION:
                return new ApiConnectionException(d);
            case DECODE:
                return new ResponseDecodeException(d);
            case TLS:
                return new TlsException(d);
            case CANCELLED:
                return new CancelledException(d);
            default:
                // PANIC, OTHER, and any status added to the header after this switch.
                return new BlooioException(d);
        }
    }
}
