package org.postlet.server.context;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import org.postlet.mailet.IpNetwork;
import org.postlet.mailet.MailAddress;
import org.postlet.maildir.MaildirStore;
import org.postlet.maildir.UnsafeMailboxException;
import org.postlet.server.config.ServerConfig;
import org.postlet.server.directory.Directory;
import org.postlet.smtp.policy.Client;
import org.postlet.smtp.policy.RecipientPolicy;
import org.postlet.smtp.policy.Verdict;

/**
 * Postlet's RCPT rules: a local domain takes only its users and aliases, other domains only from
 * authenticated clients or authorized networks. Never an open relay.
 */
@Singleton
public final class LocalRecipientPolicy implements RecipientPolicy {

    private final ServerConfig config;
    private final Directory directory;
    private final MaildirStore store;

    @Inject
    public LocalRecipientPolicy(ServerConfig config, Directory directory, MaildirStore store) {
        this.config = config;
        this.directory = directory;
        this.store = store;
    }

    @Override
    public Verdict check(Client client, MailAddress recipient) {
        if (directory.isLocalDomain(recipient.domain())) {
            if (!directory.isLocalRecipient(recipient)) {
                return Verdict.reject(550, "5.1.1", "<" + recipient + ">: Recipient address rejected: User unknown in local recipient table");
            }
            try {
                store.mailboxOf(recipient);
            } catch (UnsafeMailboxException e) {
                return Verdict.reject(550, "5.1.3", "<" + recipient + ">: Recipient address rejected: " + e.getMessage());
            }
            return Verdict.accept();
        }
        if (client.authenticatedUser().isPresent() || isAuthorized(client.address().getAddress())) {
            return Verdict.accept();
        }
        return Verdict.reject(554, "5.7.1", "<" + recipient + ">: Relay access denied");
    }

    /** The bare {@code RCPT TO:<postmaster>} is the postmaster of the first local domain, as for the mailet context. */
    @Override
    public MailAddress postmaster(String hostname) {
        return new MailAddress("postmaster", config.domains().isEmpty() ? hostname : config.domains().get(0));
    }

    private boolean isAuthorized(InetAddress address) {
        if (address == null) {
            return false;
        }
        for (IpNetwork n : config.authorizedNetworks()) {
            if (n.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
