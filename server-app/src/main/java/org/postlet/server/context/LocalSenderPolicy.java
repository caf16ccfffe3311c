package org.postlet.server.context;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.postlet.mailet.InvalidAddressException;
import org.postlet.mailet.MailAddress;
import org.postlet.server.config.ServerConfig;
import org.postlet.server.directory.Directory;
import org.postlet.smtp.policy.Client;
import org.postlet.smtp.policy.SenderPolicy;
import org.postlet.smtp.policy.Verdict;

/**
 * Postlet's MAIL rule: with {@code smtp.senderLogin: owned} (the default) an authenticated user
 * sends only as an address they own — their login address or an alias that leads to it — so a
 * logged-in bob cannot use {@code MAIL FROM:<alice@…>}. Unauthenticated clients are not asked
 * here: they relay nowhere ({@link LocalRecipientPolicy}), and inbound mail comes from anyone.
 *
 * <p>The null sender {@code <>} is allowed after AUTH, as Postfix does: it names no one, so it
 * cannot impersonate anybody, and mail clients use it for read receipts and delivery reports.
 */
@Singleton
public final class LocalSenderPolicy implements SenderPolicy {

    private final SenderLogin rule;
    private final Directory directory;

    @Inject
    public LocalSenderPolicy(ServerConfig config, Directory directory) {
        this(config.senderLogin(), directory);
    }

    LocalSenderPolicy(SenderLogin rule, Directory directory) {
        this.rule = rule;
        this.directory = directory;
    }

    @Override
    public Verdict check(Client client, Optional<MailAddress> sender) {
        if (rule == SenderLogin.ANY || client.authenticatedUser().isEmpty() || sender.isEmpty()) {
            return Verdict.accept();
        }
        String login = client.authenticatedUser().get();
        if (owns(login, sender.get())) {
            return Verdict.accept();
        }
        return Verdict.reject(553, "5.7.1", sender.get().toPath() + ": sender address not owned by user " + login);
    }

    private boolean owns(String login, MailAddress sender) {
        MailAddress user;
        try {
            user = MailAddress.parse(login);
        } catch (InvalidAddressException e) {
            return false; // an identity that is no address owns no address
        }
        // The directory compares local parts case-insensitively; its addresses are normalised.
        MailAddress mailbox = directory.user(user).map(Directory.User::address).orElse(user);
        return directory.user(sender).map(u -> u.address().equals(mailbox)).orElse(false)
                || directory.mailboxesOf(sender).contains(mailbox);
    }
}
