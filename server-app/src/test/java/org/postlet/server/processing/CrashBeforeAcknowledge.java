package org.postlet.server.processing;

import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.postlet.mailet.ProcessingState;
import org.postlet.queue.Disposition;
import org.postlet.queue.Lease;
import org.postlet.queue.MailEnvelope;
import org.postlet.queue.MailQueue;
import org.postlet.queue.QueueSize;
import org.postlet.queue.QueuedMailSummary;

/**
 * A queue whose process "dies" after processing some mails and before their outcome reached the
 * disk: acknowledging those does nothing, so after the queue is opened again they come back as
 * possible redeliveries, exactly as after a {@code kill -9} at that instant.
 */
final class CrashBeforeAcknowledge implements MailQueue {

    private final MailQueue queue;
    private final Set<String> lost;

    /** @param lost the ids whose acknowledgement is lost */
    CrashBeforeAcknowledge(MailQueue queue, Set<String> lost) {
        this.queue = queue;
        this.lost = Set.copyOf(lost);
    }

    @Override
    public CompletionStage<Void> acknowledge(Lease lease, Disposition disposition) {
        return lost.contains(lease.id()) ? CompletableFuture.completedFuture(null) : queue.acknowledge(lease, disposition);
    }

    @Override
    public Enqueuing enqueue(MailEnvelope envelope, ProcessingState state, Map<String, Serializable> attributes) throws IOException {
        return queue.enqueue(envelope, state, attributes);
    }

    @Override
    public Optional<Enqueuing> enqueueOnce(String id, MailEnvelope envelope, ProcessingState state,
                                           Map<String, Serializable> attributes) throws IOException {
        return queue.enqueueOnce(id, envelope, state, attributes);
    }

    @Override
    public boolean hasRoomFor(long size) {
        return queue.hasRoomFor(size);
    }

    @Override
    public Optional<Lease> take(Duration timeout) throws InterruptedException {
        return queue.take(timeout);
    }

    @Override
    public void release(Lease lease) {
        queue.release(lease);
    }

    @Override
    public List<QueuedMailSummary> browse() throws IOException {
        return queue.browse();
    }

    @Override
    public boolean remove(String id) throws IOException {
        return queue.remove(id);
    }

    @Override
    public boolean hold(String id) throws IOException {
        return queue.hold(id);
    }

    @Override
    public boolean unhold(String id) throws IOException {
        return queue.unhold(id);
    }

    @Override
    public int flush() throws IOException {
        return queue.flush();
    }

    @Override
    public QueueSize size() {
        return queue.size();
    }

    @Override
    public void close() {
        queue.close();
    }
}
