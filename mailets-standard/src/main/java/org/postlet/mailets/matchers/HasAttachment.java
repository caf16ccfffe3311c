package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.Mail;

/** Selects mail with at least one attachment. */
@ComponentDoc(summary = "Selects the whole mail when a part of it, at any depth, is an attachment: it has"
        + " `Content-Disposition: attachment` or a file name.",
        example = "{ match: \"HasAttachment\", class: AddHeader, name: X-Has-Attachment, value: \"yes\" }")
public final class HasAttachment extends MailMatcher {

    @Override
    public void init() throws MessagingException {
        noCondition();
    }

    @Override
    boolean matches(Mail mail) throws MessagingException {
        return !Attachments.fileNames(mail.message()).isEmpty();
    }
}
