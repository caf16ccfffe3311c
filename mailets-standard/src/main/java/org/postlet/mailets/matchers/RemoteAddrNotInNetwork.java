package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.Mail;

/** Selects mail sent by a client outside all of the networks. */
@ComponentDoc(summary = "Selects the whole mail when the SMTP client's IP address is in none of the networks (IPv4"
        + " and IPv6, CIDR notation). An address that cannot be read counts as outside.",
        condition = "a comma-separated list of networks",
        example = "{ match: \"RemoteAddrNotInNetwork=127.0.0.0/8, ::1/128\", class: LogMessage, template: \"external mail from {client}\" }")
public final class RemoteAddrNotInNetwork extends MailMatcher {

    private Networks networks;

    @Override
    public void init() throws MessagingException {
        networks = Networks.parse(name(), getRequiredCondition());
    }

    @Override
    boolean matches(Mail mail) {
        return !networks.contains(mail.remoteAddress());
    }
}
