package org.postlet.smtp.policy;

import java.util.Optional;
import org.postlet.mailet.MailAddress;

/**
 * Decides at MAIL time whether the client may use a sender address, e.g. that an authenticated
 * user sends only as an address they own. The counterpart of {@link RecipientPolicy}: the rule
 * lives here, the session only asks.
 */
public interface SenderPolicy {

    /** Accepts every sender: for servers where who may send as whom is not the SMTP server's business. */
    SenderPolicy ANY_SENDER = (client, sender) -> Verdict.accept();

    /**
     * Decides for the sender of a new transaction. Runs on the event loop: must not block.
     *
     * @param sender the {@code MAIL FROM} address; empty for the null sender {@code <>}
     */
    Verdict check(Client client, Optional<MailAddress> sender);
}
