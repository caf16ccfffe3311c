package org.postlet.outbound.client;

/**
 * The account to log in with at a gateway (SMTP AUTH, RFC 4954), sent only over TLS.
 *
 * @param user     the user name
 * @param password the password
 */
public record Login(String user, String password) {

    /** Never prints the password (log lines, exceptions). */
    @Override
    public String toString() {
        return "Login[" + user + "]";
    }
}
