package org.postlet.dns;

/**
 * A DNS question got no usable answer now (timeout, SERVFAIL, refused): the question may succeed
 * later, so mail that needed it is deferred, never bounced.
 */
public final class DnsFailureException extends Exception {

    public DnsFailureException(String message) {
        super(message);
    }

    public DnsFailureException(String message, Throwable cause) {
        super(message, cause);
    }
}
