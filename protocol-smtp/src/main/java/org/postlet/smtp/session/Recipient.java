package org.postlet.smtp.session;

import java.util.Map;
import org.postlet.mailet.MailAddress;

/**
 * An accepted recipient with its RCPT parameters (DSN's NOTIFY and ORCPT), which the
 * {@link org.postlet.smtp.inbound.Envelope} carries on to the spool.
 */
record Recipient(MailAddress address, Map<String, String> parameters) {

    Recipient {
        parameters = Map.copyOf(parameters);
    }
}
