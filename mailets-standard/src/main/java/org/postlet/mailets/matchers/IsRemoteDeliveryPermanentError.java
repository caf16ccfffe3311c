package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.Mail;
import org.postlet.mailets.delivery.RemoteDelivery;

/** Selects mail whose remote delivery failed for good. */
@ComponentDoc(summary = "Selects the whole mail when RemoteDelivery's last failure for it was permanent: a 5xx"
        + " reply, a domain that does not exist or takes no mail (null MX), a message too large for the remote.",
        example = "{ match: IsRemoteDeliveryPermanentError, class: Bounce }")
public final class IsRemoteDeliveryPermanentError extends MailMatcher {

    @Override
    public void init() throws MessagingException {
        noCondition();
    }

    @Override
    boolean matches(Mail mail) {
        return mail.attribute(RemoteDelivery.PERMANENT).map(Boolean.TRUE::equals).orElse(false);
    }
}
