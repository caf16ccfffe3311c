package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import java.util.HashSet;
import java.util.Set;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailetException;
import org.postlet.mailets.delivery.RemoteDelivery;

/** Selects mail whose remote delivery failed with one of the given SMTP reply codes. */
@ComponentDoc(summary = "Selects the whole mail when the last SMTP reply RemoteDelivery got for it has one of the"
        + " codes: in the processor named by RemoteDelivery's `bounceProcessor`, to treat e.g. a full mailbox apart"
        + " from an unknown user.",
        condition = "reply codes separated by commas, e.g. `550` or `550, 551, 553`",
        example = "{ match: \"RemoteDeliveryFailedWithSMTPCode=552\", class: Bounce, status: \"5.2.2\" }")
public final class RemoteDeliveryFailedWithSMTPCode extends MailMatcher {

    private final Set<Integer> codes = new HashSet<>();

    @Override
    public void init() throws MessagingException {
        for (String code : getRequiredCondition().split(",")) {
            String c = code.strip();
            if (!c.matches("[2-5]\\d\\d")) {
                throw new MailetException(name() + ": '" + c + "' is not an SMTP reply code — write e.g. "
                        + name() + "=550");
            }
            codes.add(Integer.parseInt(c));
        }
    }

    @Override
    boolean matches(Mail mail) {
        return mail.attribute(RemoteDelivery.SMTP_CODE).filter(Integer.class::isInstance).map(codes::contains).orElse(false);
    }
}
