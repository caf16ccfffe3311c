package org.postlet.maildir;

import java.io.IOException;

/**
 * A delivery would take a mailbox over its storage limit. Temporary by nature: the owner may
 * delete mail, so the delivery is retried and only bounced when that keeps failing.
 */
public final class OverQuotaException extends IOException {

    public OverQuotaException(String message) {
        super(message);
    }
}
