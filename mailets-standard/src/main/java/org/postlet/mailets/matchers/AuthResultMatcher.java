package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailetException;

/**
 * Selects mail whose verdict attribute (set by the AuthenticationResults mailet) is one of the
 * values of the condition; mail without the attribute is not selected.
 */
abstract class AuthResultMatcher extends MailMatcher {

    private Set<String> wanted;

    /** The attribute holding the verdict. */
    abstract String attribute();

    /** The values the attribute can take. */
    abstract Set<String> values();

    @Override
    public final void init() throws MessagingException {
        wanted = Arrays.stream(getRequiredCondition().split(",")).map(s -> s.strip().toLowerCase(Locale.ROOT))
                .filter(s -> !s.isEmpty()).collect(Collectors.toSet());
        for (String w : wanted) {
            if (!values().contains(w)) {
                throw new MailetException(name() + ": '" + w + "' is not a result — use one or more of "
                        + String.join(", ", values().stream().sorted().toList()) + ", separated by commas");
            }
        }
    }

    @Override
    final boolean matches(Mail mail) {
        return mail.attribute(attribute()).map(v -> wanted.contains(v.toString())).orElse(false);
    }
}
