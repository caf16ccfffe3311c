package org.postlet.mailets.matchers;

import jakarta.inject.Inject;
import jakarta.mail.MessagingException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericMatcher;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetException;
import org.postlet.mailet.TemporaryFailureException;
import org.postlet.maildir.MaildirStore;
import org.postlet.maildir.QuotaRules;

/** Selects the recipients whose mailbox this mail would take over its storage limit. */
@ComponentDoc(summary = "Selects the recipients with a mailbox (aliases expanded) that this mail would take over its"
        + " storage limit (`userdb_quota_rule=*:storage=…` in the passwd-file). Recipients without a limit or"
        + " without a local mailbox are not selected. Counting a mailbox lists its folders: it costs a little.",
        example = "{ match: \"IsOverQuota\", class: Bounce, status: \"5.2.2\", notice: \"The mailbox is full\" }")
public final class IsOverQuota extends GenericMatcher {

    private final MaildirStore store;
    private final QuotaRules quotas;

    /**
     * @param store  the Maildir store, for the mailboxes' usage
     * @param quotas the mailboxes' limits
     */
    @Inject
    public IsOverQuota(MaildirStore store, QuotaRules quotas) {
        this.store = store;
        this.quotas = quotas;
    }

    @Override
    public void init() throws MessagingException {
        if (getCondition().isPresent()) {
            throw new MailetException("IsOverQuota takes no condition — the limits come from the passwd-file; write just IsOverQuota");
        }
    }

    @Override
    public Collection<MailAddress> match(Mail mail) throws MessagingException {
        List<MailAddress> over = new ArrayList<>();
        for (MailAddress recipient : mail.recipients()) {
            for (MailAddress mailbox : getMailetContext().localMailboxes(recipient)) {
                if (isOver(mailbox, mail.size())) {
                    over.add(recipient);
                    break;
                }
            }
        }
        return over;
    }

    private boolean isOver(MailAddress mailbox, long size) throws MessagingException {
        OptionalLong limit = quotas.storageLimit(mailbox);
        if (limit.isEmpty()) {
            return false;
        }
        try {
            return store.usage(mailbox) + size > limit.getAsLong();
        } catch (IOException e) {
            throw new TemporaryFailureException("cannot measure the mailbox " + mailbox + ": " + e.getMessage(), e);
        }
    }
}
