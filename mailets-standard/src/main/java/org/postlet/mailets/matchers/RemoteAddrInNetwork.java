package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.Mail;

/** Selects mail sent by a client in one of the networks. */
@ComponentDoc(summary = "Selects the whole mail when the SMTP client's IP address is in one of the networks (IPv4"
        + " and IPv6, CIDR notation; a plain address is a network of one). Mail made by the server itself comes"
        + " from `127.0.0.1`.", condition = "a comma-separated list of networks",
        example = "{ match: \"RemoteAddrInNetwork=10.0.0.0/8, fd00::/8\", class: AddHeader, name: X-Internal, value: \"yes\" }")
public final class RemoteAddrInNetwork extends MailMatcher {

    private Networks networks;

    @Override
    public void init() throws MessagingException {
        networks = Networks.parse(name(), getRequiredCondition());
    }

    @Override
    boolean matches(Mail mail) {
        return networks.contains(mail.remoteAddress());
    }
}
