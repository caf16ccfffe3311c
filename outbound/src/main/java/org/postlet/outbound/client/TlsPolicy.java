package org.postlet.outbound.client;

/** Whether the SMTP client uses STARTTLS with a destination. */
public enum TlsPolicy {
    /** Never, even when offered. */
    NONE,
    /** When offered, without checking the certificate (opportunistic TLS, RFC 7435); plain text otherwise. */
    MAY,
    /** Always; a server that does not offer STARTTLS gets no mail (it is deferred). The certificate is not checked. */
    ENCRYPT,
    /** Always, and the certificate must be valid for the host name (trusted by the JVM's CA store). */
    VERIFY
}
