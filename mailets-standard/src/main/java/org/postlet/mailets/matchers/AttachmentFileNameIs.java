package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import java.util.List;
import java.util.regex.Pattern;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.Mail;
import org.postlet.mailets.Values;

/** Selects mail with an attachment whose file name matches one of the globs. */
@ComponentDoc(summary = "Selects the whole mail when an attachment's file name matches one of the globs (`*` any"
        + " characters, `?` one; case is ignored). Names are decoded (RFC 2231 and RFC 2047) first.",
        condition = "a comma-separated list of globs",
        example = "{ match: \"AttachmentFileNameIs=*.exe, *.scr, *.js\", class: ToProcessor, processor: quarantine }")
public final class AttachmentFileNameIs extends MailMatcher {

    private List<Pattern> globs;

    @Override
    public void init() throws MessagingException {
        globs = Values.nonEmptyList(name(), getRequiredCondition(), "*.exe, *.zip").stream().map(Values::glob).toList();
    }

    @Override
    boolean matches(Mail mail) throws MessagingException {
        for (String file : Attachments.fileNames(mail.message())) {
            for (Pattern g : globs) {
                if (g.matcher(file).matches()) {
                    return true;
                }
            }
        }
        return false;
    }
}
