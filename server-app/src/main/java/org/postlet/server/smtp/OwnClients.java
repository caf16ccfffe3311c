package org.postlet.server.smtp;

import java.net.InetAddress;
import java.util.List;
import org.postlet.mailet.IpNetwork;
import org.postlet.smtp.inbound.Envelope;

/**
 * The clients whose mail is ours to send: those that authenticated and those in
 * {@code smtp.authorizedNetworks} (a web application relaying through us, say). The end-of-DATA
 * checks ({@code smtp.dmarcReject}, {@code smtp.rspamdReject}) spare them: they judge strangers' mail.
 *
 * @param networks {@code smtp.authorizedNetworks}
 */
record OwnClients(List<IpNetwork> networks) {

    OwnClients {
        networks = List.copyOf(networks);
    }

    /** Whether the transaction comes from one of our own clients. */
    boolean sent(Envelope envelope) {
        InetAddress client = envelope.client().getAddress();
        return envelope.authenticatedUser().isPresent() || networks.stream().anyMatch(n -> n.contains(client));
    }
}
