package org.postlet.queue;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.ProcessingState;

/**
 * A mail taken from the queue for processing. Until it is acknowledged or released no other worker
 * (or node) gets it.
 *
 * @param id                 the queue id
 * @param envelope           the envelope as enqueued
 * @param state              the processor to start in
 * @param attributes         the mail attributes kept with it
 * @param recipients         the recipients still to do: all of them the first time, those left to
 *                           retry after a temporary failure
 * @param deferral           the temporary failures so far, if any
 * @param possibleRedelivery true when the mail may have been processed in part before (a crash, an
 *                           expired lease, a requeue): delivery code must skip what it already did
 * @param content            the message
 */
public record Lease(String id, MailEnvelope envelope, ProcessingState state, Map<String, Serializable> attributes,
                    List<MailAddress> recipients, Optional<Deferral> deferral, boolean possibleRedelivery,
                    MessageContent content) {

    public Lease {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(deferral, "deferral");
        Objects.requireNonNull(content, "content");
        attributes = Map.copyOf(attributes);
        recipients = List.copyOf(recipients);
    }
}
