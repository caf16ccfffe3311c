package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import java.io.Serializable;
import java.util.Optional;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailetException;

/** Selects mail that carries an attribute, optionally with a given value. */
@ComponentDoc(summary = "Selects the whole mail when it carries the mail attribute (set by SetMailAttribute or a"
        + " custom mailet). With `name=value` the attribute's value, as text, must equal `value`.",
        condition = "`name` or `name=value`",
        example = "{ match: \"HasMailAttribute=postlet.quarantine=yes\", class: ToRepository, path: ../var/quarantine }")
public final class HasMailAttribute extends MailMatcher {

    private String attribute;
    private Optional<String> value;

    @Override
    public void init() throws MessagingException {
        String c = getRequiredCondition().strip();
        int eq = c.indexOf('=');
        attribute = (eq < 0 ? c : c.substring(0, eq)).strip();
        value = eq < 0 ? Optional.empty() : Optional.of(c.substring(eq + 1).strip());
        if (attribute.isEmpty()) {
            throw new MailetException(name() + ": no attribute name in '" + c + "' — write HasMailAttribute=name or name=value");
        }
    }

    @Override
    boolean matches(Mail mail) {
        Optional<Serializable> actual = mail.attribute(attribute);
        return actual.isPresent() && value.map(v -> v.equals(String.valueOf(actual.get()))).orElse(true);
    }
}
