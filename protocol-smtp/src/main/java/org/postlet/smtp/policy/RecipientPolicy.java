package org.postlet.smtp.policy;

import org.postlet.mailet.MailAddress;

/**
 * Decides at RCPT time whether a recipient is accepted, so nothing that would bounce later is
 * accepted now (no backscatter) and the server is never an open relay.
 */
public interface RecipientPolicy {

    /** Decides for one recipient of the current transaction. Runs on the event loop: must not block. */
    Verdict check(Client client, MailAddress recipient);
}
