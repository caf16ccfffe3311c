package org.postlet.queue.rabbitmq;

import com.rabbitmq.client.AMQP;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.postlet.mailet.MailAddress;
import org.postlet.queue.Deferral;
import org.postlet.queue.MessageContent;
import org.postlet.queue.QueueState;
import org.postlet.queue.QueuedMailSummary;
import org.postlet.queue.file.Contents;
import org.postlet.queue.file.MailFile;

/**
 * One mail as an AMQP message: the body is the mail's envelope records (as the file queue and
 * repositories write them) followed by the message, or by nothing when the message is in the
 * shared folder; the headers carry what changes while it is queued (recipients left, deferral),
 * so a retry republishes the same body with other headers.
 *
 * @param id         the queue id (the AMQP message id)
 * @param records    the envelope, state and attributes
 * @param size       the message's size in bytes
 * @param shared     whether the message is in the shared folder rather than in {@code body}
 * @param remaining  the recipients still to do
 * @param deferral   the temporary failures so far
 * @param body       the AMQP body
 * @param properties the AMQP properties as received or to send
 */
record QueueMessage(String id, MailFile.Records records, long size, boolean shared, List<MailAddress> remaining,
                    Optional<Deferral> deferral, byte[] body, AMQP.BasicProperties properties) {

    static final String RECORDS = "x-postlet-records";
    static final String SIZE = "x-postlet-size";
    static final String SHARED = "x-postlet-shared";
    static final String REMAINING = "x-postlet-remaining";
    static final String ATTEMPTS = "x-postlet-attempts";
    static final String FIRST_FAILURE = "x-postlet-first-failure";
    static final String NEXT_ATTEMPT = "x-postlet-next-attempt";
    static final String REASON = "x-postlet-reason";
    /** Set on a quorum queue's message delivered before and given back (a node died, a release). */
    static final String DELIVERY_COUNT = "x-delivery-count";
    /** Reasons longer than this are cut: headers must fit one AMQP frame with everything else. */
    private static final int MAX_REASON = 2000;

    /** A new mail: its records first, then the message bytes when they travel inline. */
    static QueueMessage create(String id, MailFile.Records records, long size, boolean shared, byte[] body, int recordsLength) {
        Map<String, Object> headers = new HashMap<>();
        headers.put(RECORDS, recordsLength);
        headers.put(SIZE, size);
        headers.put(SHARED, shared);
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().messageId(id).deliveryMode(2)
                .contentType("application/x-postlet-mail").timestamp(Date.from(records.envelope().receivedAt()))
                .headers(headers).build();
        return new QueueMessage(id, records, size, shared, records.envelope().recipients(), Optional.empty(), body, properties);
    }

    /**
     * Reads a message as {@link #create} and {@link #withDeferral} write it.
     *
     * @throws IOException if it is not one (the message names the AMQP message id)
     */
    static QueueMessage read(AMQP.BasicProperties properties, byte[] body) throws IOException {
        String id = properties.getMessageId();
        Map<String, Object> h = properties.getHeaders() == null ? Map.of() : properties.getHeaders();
        if (id == null || !(h.get(RECORDS) instanceof Number recordsLength) || !(h.get(SIZE) instanceof Number size)) {
            throw new IOException("AMQP message " + id + " is not a Postlet mail (no " + RECORDS + " or " + SIZE + " header)");
        }
        int length = recordsLength.intValue();
        if (length < 0 || length > body.length) {
            throw new IOException("AMQP message " + id + ": " + RECORDS + " " + length + " is outside its body of " + body.length);
        }
        MailFile.Records records = MailFile.parse(Arrays.copyOf(body, length), "AMQP message " + id);
        List<MailAddress> remaining = records.envelope().recipients();
        if (h.get(REMAINING) instanceof List<?> list) {
            remaining = new ArrayList<>();
            for (Object r : list) {
                remaining.add(MailAddress.parse(r.toString()));
            }
        }
        Optional<Deferral> deferral = Optional.empty();
        if (h.get(ATTEMPTS) instanceof Number attempts) {
            deferral = Optional.of(new Deferral(attempts.intValue(), instant(h.get(FIRST_FAILURE)), instant(h.get(NEXT_ATTEMPT)),
                    h.get(REASON) == null ? "" : h.get(REASON).toString()));
        }
        return new QueueMessage(id, records, size.longValue(), Boolean.TRUE.equals(h.get(SHARED)), remaining, deferral, body,
                properties);
    }

    private static Instant instant(Object millis) {
        return millis instanceof Number n ? Instant.ofEpochMilli(n.longValue()) : Instant.EPOCH;
    }

    /** The same mail, to retry {@code recipients} after a temporary failure. */
    QueueMessage withDeferral(List<MailAddress> recipients, Deferral next) {
        Map<String, Object> headers = new HashMap<>(properties.getHeaders());
        headers.put(REMAINING, recipients.stream().map(MailAddress::toString).toList());
        headers.put(ATTEMPTS, next.attempts());
        headers.put(FIRST_FAILURE, next.firstFailure().toEpochMilli());
        headers.put(NEXT_ATTEMPT, next.nextAttempt().toEpochMilli());
        String reason = next.reason();
        headers.put(REASON, reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) + "…" : reason);
        return new QueueMessage(id, records, size, shared, List.copyOf(recipients), Optional.of(next), body,
                republished(headers));
    }

    /** The same mail due now (an operator flushed or released it); its deferral history stays. */
    QueueMessage dueNow(Instant now) {
        if (deferral.isEmpty()) {
            return this;
        }
        Deferral d = deferral.get();
        return withDeferral(remaining, new Deferral(d.attempts(), d.firstFailure(), now, d.reason()));
    }

    /** Properties for publishing again: the broker's own headers (delivery count, deaths) are not copied. */
    private AMQP.BasicProperties republished(Map<String, Object> headers) {
        headers.keySet().removeIf(k -> !k.startsWith("x-postlet-"));
        return properties.builder().headers(headers).build();
    }

    /** Properties to publish this message again as it is. */
    AMQP.BasicProperties propertiesToPublish() {
        return republished(new HashMap<>(properties.getHeaders() == null ? Map.of() : properties.getHeaders()));
    }

    /** When the mail is due: now unless it waits for a retry. */
    Instant due() {
        return deferral.map(Deferral::nextAttempt).orElse(Instant.EPOCH);
    }

    /** Whether the broker delivered it before (a node died holding it, or it was given back). */
    static boolean redelivered(boolean redeliverFlag, AMQP.BasicProperties properties) {
        Map<String, Object> h = properties.getHeaders();
        return redeliverFlag || h != null && h.get(DELIVERY_COUNT) instanceof Number n && n.longValue() > 0;
    }

    /** The message bytes: from the body, or from the shared folder. */
    MessageContent content(SharedFolder folder) {
        if (shared) {
            return folder.content(id, size);
        }
        int offset = ((Number) properties.getHeaders().get(RECORDS)).intValue();
        return Contents.memory(body, offset, body.length - offset);
    }

    QueuedMailSummary summary(QueueState state) {
        return new QueuedMailSummary(id, records.envelope().receivedAt(), size, records.envelope(), remaining,
                state, deferral);
    }
}
