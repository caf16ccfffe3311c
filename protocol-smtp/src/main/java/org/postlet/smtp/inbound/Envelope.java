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
 * @param heloName          the name given in HELO or EHLO
 * @param client            the client's address and port
 * @param authenticatedUser the SMTP AUTH identity, if the client authenticated
 * @param listener          the name of the listener that accepted the connection
 * @param receivedAt        when DATA began
 */
public record Envelope(Optional<MailAddress> sender, List<MailAddress> recipients, Map<String, String> mailParameters,
                       String heloName, InetSocketAddress client, Optional<String> authenticatedUser,
                       String listener, Instant receivedAt) {

    public Envelope {
        recipients = List.copyOf(recipients);
        mailParameters = Map.copyOf(mailParameters);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("an envelope needs at least one recipient");
        }
    }
}
