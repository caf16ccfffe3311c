package org.postlet.server.processing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import org.postlet.queue.MailEnvelope;
import org.postlet.queue.MailQueue;
import org.postlet.queue.Origin;
import org.postlet.smtp.inbound.Envelope;
import org.postlet.smtp.inbound.InboundQueue;
import org.postlet.smtp.inbound.IncomingMessage;

/**
 * Where the SMTP server hands its mail: the queue, with the session's envelope turned into the
 * queue's own. The one place that knows both.
 */
public final class SmtpIntake implements InboundQueue {

    private final MailQueue queue;

    public SmtpIntake(MailQueue queue) {
        this.queue = queue;
    }

    /** The queue's envelope for what an SMTP session accepted. */
    static MailEnvelope envelopeOf(Envelope e) {
        String address = e.client().getAddress() == null ? e.client().getHostString() : e.client().getAddress().getHostAddress();
        Origin origin = new Origin.SmtpSession(e.heloName(), address, e.client().getPort(), e.authenticatedUser(), e.tls(),
                e.listener());
        return new MailEnvelope(e.sender(), e.recipients(), e.mailParameters(), e.recipientParameters(), origin, e.receivedAt());
    }

    @Override
    public IncomingMessage open(Envelope envelope) throws IOException {
        MailQueue.Enqueuing enqueuing = queue.enqueue(envelopeOf(envelope));
        return new IncomingMessage() {
            @Override
            public String id() {
                return enqueuing.id();
            }

            @Override
            public void write(ByteBuffer bytes) throws IOException {
                enqueuing.write(bytes);
            }

            @Override
            public CompletionStage<Void> commit() {
                return enqueuing.commit();
            }

            @Override
            public void abort() {
                enqueuing.abort();
            }
        };
    }

    @Override
    public boolean hasRoomFor(long declaredSize) {
        return queue.hasRoomFor(declaredSize);
    }
}
