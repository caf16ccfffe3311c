package org.postlet.smtp.server;

/** How a listener uses TLS (RFC 3207, RFC 8314). */
public enum TlsMode {
    /** Plain text only. */
    NONE,
    /** Plain text, upgraded by the client with STARTTLS. */
    STARTTLS,
    /** TLS from the first byte (port 465 style). */
    IMPLICIT
}
