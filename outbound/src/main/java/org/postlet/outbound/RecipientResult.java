package org.postlet.outbound;

import java.util.Optional;
import org.postlet.outbound.client.Reply;

/**
 * What became of one recipient in one delivery attempt.
 *
 * @param recipient  the address
 * @param outcome    delivered, to retry, or failed for good
 * @param status     the RFC 3463 status: the remote's enhanced code when it gave one, else derived
 * @param diagnostic why, in words: the remote's reply ({@code 550 5.1.1 no such user}) or what failed here
 * @param remoteMta  the host that gave the reply, if one did
 * @param reply      the remote's reply, if there was one
 * @param dsnPassedOn whether the remote offered DSN, so the sender's NOTIFY request went on with the
 *                   message and any later notice is the remote's to send (RFC 3461 §6.2.1)
 */
public record RecipientResult(String recipient, Outcome outcome, String status, String diagnostic,
                              Optional<String> remoteMta, Optional<Reply> reply, boolean dsnPassedOn) {

    /** The three fates of a recipient. */
    public enum Outcome {
        DELIVERED, DEFERRED, FAILED
    }

    /** The result a remote reply means. */
    static RecipientResult of(String recipient, Reply reply, String remoteMta, boolean dsnPassedOn) {
        Outcome outcome = reply.positive() ? Outcome.DELIVERED
                : reply.transientFailure() ? Outcome.DEFERRED : Outcome.FAILED;
        String status = reply.enhancedStatus().orElse(switch (outcome) {
            case DELIVERED -> "2.0.0";
            case DEFERRED -> "4.0.0";
            case FAILED -> "5.0.0";
        });
        return new RecipientResult(recipient, outcome, status, reply.toString(), Optional.of(remoteMta), Optional.of(reply),
                dsnPassedOn);
    }

    /** A result decided here, without a reply from the remote. */
    static RecipientResult local(String recipient, Outcome outcome, String status, String diagnostic) {
        return new RecipientResult(recipient, outcome, status, diagnostic, Optional.empty(), Optional.empty(), false);
    }
}
