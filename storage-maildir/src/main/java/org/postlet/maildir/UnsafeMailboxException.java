package org.postlet.maildir;

/**
 * An address or folder that cannot name a mailbox inside the Maildir root: it is empty, starts with
 * {@code .}, contains {@code /}, {@code \}, {@code ..}, NUL or control characters, or the layout
 * would lead outside the root. Permanent: retrying the same address or folder cannot succeed, so the
 * SMTP server refuses such a recipient at RCPT time.
 */
public final class UnsafeMailboxException extends IllegalArgumentException {

    public UnsafeMailboxException(String problem) {
        super(problem);
    }
}
