package io.blooionative;

/** HTTP 502 ({@link Status#DEVICE_UNAVAILABLE}): the API could not reach the device; usually temporary. */
public class DeviceUnavailableException extends InternalServerException {
    private static final long serialVersionUID = 1L;

    DeviceUnavailableException(Detail detail) {
        super(detail);
    }
}
