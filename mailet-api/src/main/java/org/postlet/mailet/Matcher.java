package org.postlet.mailet;

import jakarta.mail.MessagingException;
import java.util.Collection;

/**
 * Picks the recipients of a mail that a pipeline step's mailet acts on. Returning all recipients
 * runs the mailet on the whole mail; returning some splits the mail; returning none skips the step.
 * Created and initialised like a {@link Mailet}.
 *
 * <p>Most matchers extend {@link GenericMatcher} or {@link GenericRecipientMatcher}.
 */
public interface Matcher {

    /** Called once before the first mail; throw {@link MailetException} for a bad condition. */
    default void init(MatcherConfig config) throws MessagingException {
    }

    /**
     * Selects recipients. Addresses that are not recipients of the mail are ignored.
     *
     * @return the selected recipients, never null
     */
    Collection<MailAddress> match(Mail mail) throws MessagingException;

    /** Called once when the pipeline is taken down. */
    default void destroy() {
    }

    /** One line for logs and {@code bin/postlet trace}. */
    default String info() {
        return getClass().getSimpleName();
    }
}
