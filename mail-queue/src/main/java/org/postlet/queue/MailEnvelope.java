package org.postlet.queue;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.postlet.mailet.MailAddress;

/**
 * Who a queued mail is from and for, with the delivery parameters that travel with it.
 *
 * @param sender              the envelope sender; empty for the null sender {@code <>}
 * @param recipients          the envelope recipients, in order, at least one
 * @param mailParameters      ESMTP parameters of the whole mail (e.g. {@code RET}, {@code ENVID},
 *                            {@code BODY}), upper-case keys, "" for a keyword without value
 * @param recipientParameters per-recipient parameters (e.g. DSN's {@code NOTIFY}, {@code ORCPT}), same form
 * @param origin              where the mail came from
 * @param receivedAt          when it entered the system
 */
public record MailEnvelope(Optional<MailAddress> sender, List<MailAddress> recipients, Map<String, String> mailParameters,
                           Map<MailAddress, Map<String, String>> recipientParameters, Origin origin, Instant receivedAt) {

    public MailEnvelope {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(receivedAt, "receivedAt");
        recipients = List.copyOf(recipients);
        mailParameters = Map.copyOf(mailParameters);
        Map<MailAddress, Map<String, String>> copy = new LinkedHashMap<>();
        recipientParameters.forEach((r, p) -> copy.put(r, Map.copyOf(p)));
        recipientParameters = Collections.unmodifiableMap(copy);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("an envelope needs at least one recipient");
        }
    }

    /** An envelope without ESMTP parameters. */
    public MailEnvelope(Optional<MailAddress> sender, List<MailAddress> recipients, Origin origin, Instant receivedAt) {
        this(sender, recipients, Map.of(), Map.of(), origin, receivedAt);
    }

    /** The same envelope for other recipients; their parameters are kept. */
    public MailEnvelope withRecipients(List<MailAddress> others) {
        Map<MailAddress, Map<String, String>> kept = new LinkedHashMap<>();
        others.forEach(r -> {
            Map<String, String> p = recipientParameters.get(r);
            if (p != null) {
                kept.put(r, p);
            }
        });
        return new MailEnvelope(sender, others, mailParameters, kept, origin, receivedAt);
    }
}
