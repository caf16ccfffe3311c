package org.postlet.smtp.session;

import java.util.Map;
import org.postlet.mailet.MailAddress;

/**
 * An accepted recipient with its RCPT parameters (NOTIFY, ORCPT), kept for a later DSN
 * implementation; the {@link org.postlet.smtp.inbound.Envelope} carries only the addresses today.
 */
record Recipient(MailAddress address, Map<String, String> parameters) {

    Recipient {
        parameters = Map.copyOf(parameters);
    }
}
