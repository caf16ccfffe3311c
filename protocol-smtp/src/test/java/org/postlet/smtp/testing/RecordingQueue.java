package org.postlet.smtp.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.postlet.smtp.inbound.Envelope;
import org.postlet.smtp.inbound.InboundQueue;
import org.postlet.smtp.inbound.IncomingMessage;

/**
 * An in-memory {@link InboundQueue} that records what it was given and can be told to misbehave
 * in named ways ({@link Failure}).
 */
public final class RecordingQueue implements InboundQueue {

    /** How the queue misbehaves. */
    public enum Failure {
        /** Everything works. */
        NONE,
        /** {@code open} throws an IOException, as with a full disk. */
        OPEN_FAILS,
        /** {@code hasRoomFor} says no, as with a nearly full disk. */
        NO_ROOM,
        /** {@code write} throws an IOException. */
        WRITE_FAILS,
        /** {@code commit} completes exceptionally. */
        COMMIT_FAILS,
        /** {@code commit} completes normally after {@link #COMMIT_DELAY}. */
        COMMIT_DELAYED
    }

    public static final Duration COMMIT_DELAY = Duration.ofMillis(400);

    /** A committed message. */
    public record Stored(String id, Envelope envelope, byte[] bytes) {
        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        /** The message without the Received header the server prepended. */
        public String body() {
            String text = text();
            int end = text.indexOf("\r\n", text.indexOf("\r\n\tby ") + 2);
            while (text.startsWith("\t", end + 2)) {
                end = text.indexOf("\r\n", end + 2);
            }
            return text.substring(end + 2);
        }
    }

    private final List<Stored> committed = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger aborted = new AtomicInteger();
    private final AtomicInteger commitsStarted = new AtomicInteger();
    private volatile Failure failure = Failure.NONE;

    public void failWith(Failure failure) {
        this.failure = failure;
    }

    @Override
    public boolean hasRoomFor(long declaredSize) {
        return failure != Failure.NO_ROOM;
    }

    @Override
    public IncomingMessage open(Envelope envelope) throws IOException {
        if (failure == Failure.OPEN_FAILS) {
            throw new IOException("disk full (test)");
        }
        opened.incrementAndGet();
        return new Message("Q" + ids.incrementAndGet(), envelope);
    }

    public List<Stored> committed() {
        return List.copyOf(committed);
    }

    public int opened() {
        return opened.get();
    }

    public int aborted() {
        return aborted.get();
    }

    /** Waits until at least {@code count} messages are committed; returns them. */
    public List<Stored> await(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (committed.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return committed();
    }

    /**
     * Waits until the server has called {@code commit} at least {@code count} times (a delayed
     * commit may still be running); fails after 5 s.
     */
    public void awaitCommitsStarted(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (commitsStarted.get() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the server called commit " + commitsStarted.get() + " time(s) within 5 s, expected "
                        + count);
            }
            Thread.sleep(5);
        }
    }

    /** Waits a little until {@code aborted() >= count}, for aborts that happen after a socket closed. */
    public int awaitAborted(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (aborted.get() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return aborted.get();
    }

    private final class Message implements IncomingMessage {
        private final String id;
        private final Envelope envelope;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private boolean finished;

        Message(String id, Envelope envelope) {
            this.id = id;
            this.envelope = envelope;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public void write(ByteBuffer buffer) throws IOException {
            if (finished) {
                throw new IllegalStateException("write after commit/abort");
            }
            if (failure == Failure.WRITE_FAILS) {
                throw new IOException("write failed (test)");
            }
            byte[] chunk = new byte[buffer.remaining()];
            buffer.get(chunk);
            bytes.write(chunk);
        }

        @Override
        public CompletionStage<Void> commit() {
            finish();
            commitsStarted.incrementAndGet();
            Stored stored = new Stored(id, envelope, bytes.toByteArray());
            return switch (failure) {
                case COMMIT_FAILS -> CompletableFuture.failedFuture(new IOException("fsync failed (test)"));
                case COMMIT_DELAYED -> CompletableFuture.runAsync(() -> committed.add(stored),
                        CompletableFuture.delayedExecutor(COMMIT_DELAY.toMillis(), TimeUnit.MILLISECONDS));
                default -> {
                    committed.add(stored);
                    yield CompletableFuture.completedFuture(null);
                }
            };
        }

        @Override
        public void abort() {
            finish();
            aborted.incrementAndGet();
        }

        private void finish() {
            if (finished) {
                throw new IllegalStateException("message " + id + " finished twice");
            }
            finished = true;
        }
    }
}
