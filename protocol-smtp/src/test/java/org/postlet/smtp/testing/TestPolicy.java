package org.postlet.smtp.testing;

import java.util.Set;
import org.postlet.mailet.MailAddress;
import org.postlet.smtp.policy.Client;
import org.postlet.smtp.policy.RecipientPolicy;
import org.postlet.smtp.policy.Verdict;

/**
 * Accepts alice, bob and postmaster at example.test, refuses other users there and every other
 * domain; the bare {@code <postmaster>} is postmaster@example.test.
 */
public final class TestPolicy implements RecipientPolicy {

    public static final String DOMAIN = "example.test";
    private static final Set<String> USERS = Set.of("alice", "bob", "postmaster");

    @Override
    public Verdict check(Client client, MailAddress recipient) {
        if (!recipient.domain().equals(DOMAIN)) {
            return Verdict.reject(554, "5.7.1", recipient.toPath() + ": Relay access denied");
        }
        if (!USERS.contains(recipient.localPart())) {
            return Verdict.reject(550, "5.1.1", recipient.toPath() + ": Recipient address rejected: User unknown");
        }
        return Verdict.accept();
    }

    @Override
    public MailAddress postmaster(String hostname) {
        return new MailAddress("postmaster", DOMAIN);
    }
}
