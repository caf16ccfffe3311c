package org.postlet.smtp.inbound;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.postlet.mailet.MailAddress;

/**
 * The SMTP envelope of one message as the session accepted it.
 *
 * @param sender            {@code MAIL FROM}; empty for the null sender {@code <>}
 * @param recipients        the accepted {@code RCPT TO} addresses, in order, at least one
 * @param mailParameters    the ESMTP parameters of {@code MAIL FROM} (e.g. {@code SIZE}, {@code BODY}, {@code RET}), upper-case keys; a keyword without value maps to ""
 * @param recipientParameters the ESMTP parameters of each {@code RCPT TO} that had any (e.g. DSN's {@code NOTIFY}, {@code ORCPT}), same form
 * @param heloName          the name given in HELO or EHLO
 * @param client            the client's address and port
 * @param authenticatedUser the SMTP AUTH identity, if the client authenticated
 * @param tls               the TLS protocol and cipher suite if the session was encrypted, e.g. {@code TLSv1.3 TLS_AES_128_GCM_SHA256}
 * @param listener          the name of the listener that accepted the connection
 * @param receivedAt        when DATA began
 */
public record Envelope(Optional<MailAddress> sender, List<MailAddress> recipients, Map<String, String> mailParameters,
                       Map<MailAddress, Map<String, String>> recipientParameters, String heloName,
                       InetSocketAddress client, Optional<String> authenticatedUser, Optional<String> tls,
                       String listener, Instant receivedAt) {

    public Envelope {
        recipients = List.copyOf(recipients);
        mailParameters = Map.copyOf(mailParameters);
        java.util.Map<MailAddress, Map<String, String>> copy = new java.util.LinkedHashMap<>();
        recipientParameters.forEach((r, p) -> copy.put(r, Map.copyOf(p)));
        recipientParameters = java.util.Collections.unmodifiableMap(copy);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("an envelope needs at least one recipient");
        }
    }
}
