package org.postlet.outbound.policy;

/** A line of a TLS policy table is wrong; the message is {@code FILE:LINE: problem — fix}. */
public final class TlsTableException extends Exception {

    public TlsTableException(String message) {
        super(message);
    }
}
