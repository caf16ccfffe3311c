package org.postlet.outbound.sts;

/**
 * The policy could not be fetched from {@code https://mta-sts.<domain>/.well-known/mta-sts.txt}: no
 * address, no connection, a certificate not valid for the policy host, a status other than 200, a
 * body too large or cut short.
 */
public final class PolicyFetchException extends Exception {

    public PolicyFetchException(String message) {
        super(message);
    }

    public PolicyFetchException(String message, Throwable cause) {
        super(message, cause);
    }
}
