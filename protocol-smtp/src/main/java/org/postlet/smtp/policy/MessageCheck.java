package org.postlet.smtp.policy;

import java.util.concurrent.CompletionStage;
import org.postlet.smtp.inbound.Envelope;

/**
 * A check of the whole received message at the end of DATA, before the reply: the last moment a
 * message can be refused without the server owing a bounce. DMARC's {@code p=reject}, a spam
 * filter's verdict or an attachment rule plug in here; see {@code MessageChecks} for how they run.
 */
public interface MessageCheck {

    /**
     * Decides on one message. Called on the event loop: anything slow (DNS, a filter over HTTP) must
     * run elsewhere and complete the stage later.
     *
     * @param envelope the transaction
     * @param message  the message as it will be stored (CRLF, starting with the server's {@code Received:})
     * @return accept, reject (5xx) or defer (4xx); a stage that fails defers the message
     */
    CompletionStage<Verdict> check(Envelope envelope, byte[] message);
}
