package io.blooionative;

/**
 * The server's certificate was refused (unknown issuer, expired, not valid for the host, a CA
 * used as the leaf) or the TLS handshake failed for good ({@link Status#TLS}). Never retried.
 * Behind a TLS-inspecting proxy, give its CA bundle with {@link BlooioClient.Builder#caFile} or
 * {@code SSL_CERT_FILE}. An {@link ApiConnectionException}, as in the official SDKs' hierarchy.
 */
public class TlsException extends ApiConnectionException {
    private static final long serialVersionUID = 1L;

    TlsException(Detail detail) {
        super(detail);
    }
}
