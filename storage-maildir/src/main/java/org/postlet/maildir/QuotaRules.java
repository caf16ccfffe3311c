package org.postlet.maildir;

import java.util.OptionalLong;
import org.postlet.mailet.MailAddress;

/** The storage limit of each mailbox, if it has one. */
@FunctionalInterface
public interface QuotaRules {

    /** No mailbox has a limit. */
    QuotaRules NONE = mailbox -> OptionalLong.empty();

    /** The most bytes the mailbox may hold in all its folders, or empty for no limit. */
    OptionalLong storageLimit(MailAddress mailbox);
}
