package org.postlet.server.e2e;

import jakarta.mail.MessagingException;
import java.util.HashSet;
import java.util.Set;
import org.postlet.mailet.GenericRecipientMatcher;
import org.postlet.mailet.MailAddress;

/**
 * Selects the recipients listed in the condition, e.g. {@code RecipientIs=carol@example.test}:
 * a matcher from the class path, named in the pipeline by its fully qualified name.
 */
public final class RecipientIs extends GenericRecipientMatcher {

    private final Set<MailAddress> addresses = new HashSet<>();

    @Override
    public void init() throws MessagingException {
        for (String a : getRequiredCondition().split(",")) {
            addresses.add(MailAddress.parse(a));
        }
    }

    @Override
    public boolean matchRecipient(MailAddress recipient) {
        return addresses.contains(recipient);
    }
}
