package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeUtility;
import java.io.UnsupportedEncodingException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailetException;
import org.postlet.mailets.Values;

/** Selects mail that has a header, optionally with a value matching a regular expression. */
@ComponentDoc(summary = "Selects the whole mail when it has the header. With `Name:regex` a value of the header"
        + " (unfolded, decoded, trimmed) must match the regular expression in full, ignoring case. Several"
        + " conditions joined with `+` must all hold.",
        condition = "`Name` or `Name:regex`, several joined with `+`",
        example = "{ match: \"HasHeader=X-Spam-Flag:YES\", class: LocalDelivery, folder: Junk }")
public final class HasHeader extends MailMatcher {

    /** One header test: the name, and the value pattern if one was given. */
    private record Test(String header, Optional<Pattern> value) {
    }

    private List<Test> tests;

    @Override
    public void init() throws MessagingException {
        tests = new ArrayList<>();
        for (String part : getRequiredCondition().split("\\+")) {
            String p = part.strip();
            int colon = p.indexOf(':');
            String header = (colon < 0 ? p : p.substring(0, colon)).strip();
            if (header.isEmpty() || !header.chars().allMatch(c -> c > 32 && c < 127 && c != ':')) {
                throw new MailetException(name() + ": '" + p + "' does not start with a header name — write e.g."
                        + " HasHeader=X-Spam-Flag:YES or HasHeader=List-Id+Precedence:bulk");
            }
            Optional<Pattern> value = colon < 0 ? Optional.empty()
                    : Optional.of(Values.regex(name() + " value for " + header, p.substring(colon + 1).strip(),
                            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE));
            tests.add(new Test(header, value));
        }
    }

    @Override
    boolean matches(Mail mail) throws MessagingException {
        for (Test t : tests) {
            String[] values = mail.message().getHeader(t.header());
            if (values == null || values.length == 0) {
                return false;
            }
            if (t.value().isPresent() && !anyMatches(values, t.value().get())) {
                return false;
            }
        }
        return true;
    }

    private static boolean anyMatches(String[] values, Pattern pattern) {
        for (String raw : values) {
            String v = MimeUtility.unfold(raw);
            try {
                v = MimeUtility.decodeText(v);
            } catch (UnsupportedEncodingException e) {
                // an unknown charset: compare the encoded text rather than fail the mail
            }
            if (pattern.matcher(v.strip()).matches()) {
                return true;
            }
        }
        return false;
    }
}
