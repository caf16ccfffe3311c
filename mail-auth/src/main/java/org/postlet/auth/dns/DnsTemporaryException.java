package org.postlet.auth.dns;

/** A DNS query got no usable answer (timeout, SERVFAIL, refused): the result may differ later. */
public final class DnsTemporaryException extends Exception {

    public DnsTemporaryException(String message) {
        super(message);
    }

    public DnsTemporaryException(String message, Throwable cause) {
        super(message, cause);
    }
}
