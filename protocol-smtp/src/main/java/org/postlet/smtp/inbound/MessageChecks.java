package org.postlet.smtp.inbound;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.postlet.smtp.policy.MessageCheck;
import org.postlet.smtp.policy.Verdict;

/**
 * Runs {@link MessageCheck}s on each message before it is committed, as a decorator of the queue:
 * the message is held in memory as it streams to the spool, and at the end of DATA the checks run
 * one after the other. The first that does not accept decides: the stored message is discarded
 * and {@link IncomingMessage#commit()} fails with a {@link MessageRefusedException} carrying the
 * reply. All checks together get {@code budget}; when it runs out the message is deferred with
 * 451 4.7.0, never refused, since a slow DNS says nothing about the mail.
 */
public final class MessageChecks implements InboundQueue {

    private static final Verdict OUT_OF_TIME = Verdict.defer(451, "4.7.0",
            "Temporary authentication failure: the checks took too long, try again later");
    private static final Verdict CHECK_FAILED = Verdict.defer(451, "4.7.0",
            "Temporary failure of a message check, try again later");

    private final InboundQueue queue;
    private final List<MessageCheck> checks;
    private final Duration budget;

    public MessageChecks(InboundQueue queue, List<MessageCheck> checks, Duration budget) {
        this.queue = queue;
        this.checks = List.copyOf(checks);
        this.budget = budget;
    }

    @Override
    public IncomingMessage open(Envelope envelope) throws IOException {
        IncomingMessage message = queue.open(envelope);
        return checks.isEmpty() ? message : new Held(message, envelope);
    }

    @Override
    public boolean hasRoomFor(long declaredSize) {
        return queue.hasRoomFor(declaredSize);
    }

    /** Streams to the queue and keeps a copy for the checks. */
    private final class Held implements IncomingMessage {
        private final IncomingMessage target;
        private final Envelope envelope;
        private final ByteArrayOutputStream copy = new ByteArrayOutputStream(16 * 1024);

        Held(IncomingMessage target, Envelope envelope) {
            this.target = target;
            this.envelope = envelope;
        }

        @Override
        public String id() {
            return target.id();
        }

        @Override
        public void write(ByteBuffer bytes) throws IOException {
            ByteBuffer mine = bytes.duplicate();
            byte[] b = new byte[mine.remaining()];
            mine.get(b);
            copy.writeBytes(b);
            target.write(bytes);
        }

        @Override
        public CompletionStage<Void> commit() {
            byte[] message = copy.toByteArray();
            CompletableFuture<Verdict> decided = run(0, message).toCompletableFuture()
                    .orTimeout(budget.toMillis(), TimeUnit.MILLISECONDS)
                    .exceptionally(MessageChecks::onFailure);
            return decided.thenCompose(verdict -> {
                if (verdict.kind() == Verdict.Kind.ACCEPT) {
                    return target.commit();
                }
                target.abort();
                return CompletableFuture.failedFuture(new MessageRefusedException(verdict));
            });
        }

        private CompletionStage<Verdict> run(int index, byte[] message) {
            if (index == checks.size()) {
                return CompletableFuture.completedFuture(Verdict.accept());
            }
            CompletionStage<Verdict> stage;
            try {
                stage = checks.get(index).check(envelope, message);
            } catch (RuntimeException e) {
                stage = CompletableFuture.failedFuture(e);
            }
            return stage.thenCompose(v -> v.kind() == Verdict.Kind.ACCEPT ? run(index + 1, message) : CompletableFuture.completedFuture(v));
        }

        @Override
        public void abort() {
            target.abort();
        }
    }

    private static Verdict onFailure(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return cause instanceof TimeoutException ? OUT_OF_TIME : CHECK_FAILED;
    }
}
