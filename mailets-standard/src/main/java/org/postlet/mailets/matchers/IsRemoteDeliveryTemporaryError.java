package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.Mail;
import org.postlet.mailets.delivery.RemoteDelivery;

/** Selects mail whose last remote delivery failure was temporary. */
@ComponentDoc(summary = "Selects the whole mail when RemoteDelivery's last failure for it was temporary (a 4xx"
        + " reply, no connection, DNS not answering): in the processor named by RemoteDelivery's"
        + " `bounceProcessor`, these are the recipients it gave up on when the retry time ran out.",
        example = "{ match: IsRemoteDeliveryTemporaryError, class: LogMessage }")
public final class IsRemoteDeliveryTemporaryError extends MailMatcher {

    @Override
    public void init() throws MessagingException {
        noCondition();
    }

    @Override
    boolean matches(Mail mail) {
        return mail.attribute(RemoteDelivery.PERMANENT).map(Boolean.FALSE::equals).orElse(false);
    }
}
