package org.postlet.queue;

import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.postlet.mailet.ProcessingState;

/**
 * A durable queue of mail waiting to be processed, in the shape James's mail queues settled on and
 * a message broker can implement: a mail is enqueued (and acknowledged to its sender only once
 * durable), taken with a lease, and the lease is ended with an outcome per recipient.
 *
 * <p>Rules every implementation keeps:
 * <ul>
 *   <li>{@link Enqueuing#commit()} completes only when the mail survives a crash of this process
 *       (and, for a broker, of this node).</li>
 *   <li>A taken mail whose lease is neither acknowledged nor released (the process died, the lease
 *       expired) is taken again later with {@link Lease#possibleRedelivery()} set, so delivery
 *       code can skip what it already did.</li>
 *   <li>Ids are opaque strings of letters and digits, at most 64 characters, unique within the queue.</li>
 *   <li>Nothing in this interface assumes a local disk: content is read through
 *       {@link MessageContent}, never by path.</li>
 * </ul>
 * Thread-safe: SMTP sessions enqueue and workers take concurrently.
 */
public interface MailQueue extends AutoCloseable {

    /**
     * Starts a new mail in {@link ProcessingState#ROOT} without attributes; see
     * {@link #enqueue(MailEnvelope, ProcessingState, Map)}.
     */
    default Enqueuing enqueue(MailEnvelope envelope) throws IOException {
        return enqueue(envelope, ProcessingState.ROOT, Map.of());
    }

    /**
     * Starts a new mail under a fresh id. Its bytes follow with {@link Enqueuing#write}; nothing is
     * queued until {@link Enqueuing#commit} completes.
     *
     * @param state      the processor the mail starts in
     * @param attributes mail attributes kept with it (a requeued mail keeps its mailets' ones)
     * @throws IOException if the queue cannot take mail now (full disk, broker away); the caller
     *                     answers with a temporary failure
     */
    Enqueuing enqueue(MailEnvelope envelope, ProcessingState state, Map<String, Serializable> attributes) throws IOException;

    /**
     * Starts a mail under an id the caller derived from what caused it ({@link QueueIds#derived}),
     * unless a mail of that id is queued or was processed before: then empty. This is how a bounce
     * or forward made again after a crash is sent once.
     */
    Optional<Enqueuing> enqueueOnce(String id, MailEnvelope envelope, ProcessingState state,
                                    Map<String, Serializable> attributes) throws IOException;

    /** Whether a message of {@code size} bytes can be taken now; asked before a client sends it. */
    boolean hasRoomFor(long size);

    /**
     * The next mail due for processing, waiting up to {@code timeout}; empty if none came. The lease
     * ends with {@link #acknowledge} or {@link #release}.
     */
    Optional<Lease> take(Duration timeout) throws InterruptedException;

    /**
     * Ends a lease with what happened to each recipient still to do: recipients
     * {@link RecipientOutcome.Done done} or {@link RecipientOutcome.Failed failed} are finished;
     * those to {@link RecipientOutcome.Retry retry} come back after the delay, the lease's other
     * data unchanged. Recipients of the lease missing from the disposition count as done.
     *
     * @return completes when the outcome is durable; completes exceptionally with
     *         {@link LeaseExpiredException} if the queue had already taken the lease back
     */
    CompletionStage<Void> acknowledge(Lease lease, Disposition disposition);

    /** Gives a leased mail back untouched (e.g. at shutdown), to be taken again as a possible redelivery. */
    void release(Lease lease);

    /** Every mail in the queue, for operators; reads the queue's index, not the messages. */
    List<QueuedMailSummary> browse() throws IOException;

    /** One mail, if it is queued. */
    default Optional<QueuedMailSummary> find(String id) throws IOException {
        return browse().stream().filter(m -> m.id().equals(id)).findFirst();
    }

    /**
     * One mail in full, for an operator's look at it: the processor it is in, its attributes and
     * its message. A queue that cannot read a mail's content apart from taking it leaves those
     * empty (this default); the summary is always there.
     */
    default Optional<QueuedMailDetail> inspect(String id) throws IOException {
        return find(id).map(s -> new QueuedMailDetail(s, Optional.empty(), Map.of(), Optional.empty()));
    }

    /**
     * Removes a mail that is not being processed; it is never delivered.
     *
     * @return false if there is no such mail or it is leased right now
     */
    boolean remove(String id) throws IOException;

    /** Keeps a mail out of processing until {@link #unhold}; false if there is no such mail. A leased mail is held once its lease ends. */
    boolean hold(String id) throws IOException;

    /** Lets a held mail be processed again; false if there is no such held mail. */
    boolean unhold(String id) throws IOException;

    /** Makes every deferred mail due now; returns how many. */
    int flush() throws IOException;

    /** How many mails the queue holds (waiting, leased, deferred, held) and when the oldest arrived. */
    QueueSize size();

    /**
     * Why the queue cannot take mail right now, in words an operator can act on (e.g. its broker is
     * unreachable and since when); empty when it can. For {@code /health}: must not block.
     */
    default Optional<String> unavailable() {
        return Optional.empty();
    }

    /** Stops taking and enqueuing; what is queued stays queued. */
    @Override
    void close();

    /** A mail being written into the queue. */
    interface Enqueuing {

        /** The queue id the mail will have. */
        String id();

        /** Appends message bytes (the message exactly as it will be delivered, CRLF line ends); the buffer is consumed. */
        void write(java.nio.ByteBuffer bytes) throws IOException;

        /**
         * Makes the mail durable and queues it. Completes exceptionally (and queues nothing) if it
         * could not be stored; the sender then gets a temporary failure.
         */
        CompletionStage<Void> commit();

        /** Drops a mail that will not be committed (the client went away). */
        void abort();
    }
}
