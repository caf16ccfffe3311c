package org.postlet.outbound.sts;

/** A domain's MTA-STS policy or TXT record breaks RFC 8461's grammar; the domain is then treated as having none. */
public final class MalformedPolicyException extends Exception {

    public MalformedPolicyException(String message) {
        super(message);
    }
}
