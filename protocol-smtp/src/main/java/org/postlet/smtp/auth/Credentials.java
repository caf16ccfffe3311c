package org.postlet.smtp.auth;

/**
 * What a client presented in an AUTH exchange.
 *
 * @param authorizationId the identity to act as (RFC 4616 authzid); empty when the client did not
 *                        ask to act as someone else
 * @param username        the authentication identity, e.g. {@code alice@example.test}
 * @param password        the password as given
 */
public record Credentials(String authorizationId, String username, String password) {

    /** Never shows the password, so credentials can appear in logs and assertion messages safely. */
    @Override
    public String toString() {
        return "Credentials[username=" + username + (authorizationId.isEmpty() ? "" : ", authzid=" + authorizationId)
                + ", password=***]";
    }
}
