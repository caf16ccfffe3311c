package org.postlet.queue;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.postlet.mailet.MailAddress;

/**
 * One queued mail as an operator lists it.
 *
 * @param id         the queue id
 * @param arrived    when it was enqueued
 * @param size       the message's size in bytes
 * @param envelope   its envelope
 * @param recipients the recipients still to do
 * @param state      active, deferred or held
 * @param deferral   its temporary failures, if any (the last error is there)
 */
public record QueuedMailSummary(String id, Instant arrived, long size, MailEnvelope envelope, List<MailAddress> recipients,
                                QueueState state, Optional<Deferral> deferral) {

    public QueuedMailSummary {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(deferral, "deferral");
        recipients = List.copyOf(recipients);
    }
}
