package org.postlet.queue.durability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Group commit: requests that arrive while a commit runs wait for the next one and share it. One
 * thread takes every request waiting, commits them in one batch (typically one fsync for many
 * mails), then completes them all; a lone request pays exactly what it would alone. Under load the
 * batch grows by itself, so the cost per request falls as the rate rises.
 *
 * <p>Waking the committing thread is itself a cost (a futex call, a context switch, on a virtual
 * machine an interrupt), paid per request when requests come one at a time. Two ways to pay it
 * less, for requests no caller is waiting for:
 * <ul>
 * <li>a <em>rider</em> ({@link #submitRiding}) does not wake the thread: it joins the next batch of
 *     a woken request, or is committed on its own when the thread has seen no request for
 *     {@code rideAlong} (an idle thread looks that often);</li>
 * <li>a <em>linger</em> makes the thread wait that long after the first request of a batch before
 *     committing, so that those arriving meanwhile share the batch without waking it.</li>
 * </ul>
 *
 * @param <T> what a request carries for the batch (a directory to sync, a record to write)
 */
public final class GroupCommit<T> implements AutoCloseable {

    /** Makes one batch of requests durable; throwing fails every request of the batch. */
    @FunctionalInterface
    public interface Batch<T> {
        void commit(List<T> items) throws IOException;
    }

    private record Request<T>(T item, CompletableFuture<Void> done) {
    }

    private final String name;
    private final Batch<T> batch;
    private final long lingerNanos;
    private final long rideAlongNanos;
    private final BlockingQueue<Request<T>> pending = new LinkedBlockingQueue<>();
    private final Queue<Request<T>> riders = new ConcurrentLinkedQueue<>();
    /** Put last by {@link #close()}: everything before it is committed, then the thread ends. */
    private final Request<T> stop = new Request<>(null, new CompletableFuture<>());
    private final Thread thread;
    private volatile boolean open = true;

    /**
     * Starts the committing thread; every batch is committed as soon as its first request comes.
     *
     * @param name  the thread's name, e.g. {@code postlet-queue-commit}
     * @param batch what one commit does
     */
    public GroupCommit(String name, Batch<T> batch) {
        this(name, Duration.ZERO, Duration.ZERO, batch);
    }

    /**
     * Starts the committing thread.
     *
     * @param name      the thread's name, e.g. {@code postlet-delivery-commit}
     * @param linger    how long a batch waits for more after its first request; zero for none
     * @param rideAlong how often the idle thread looks for riders; zero when there are none (then
     *                  it waits for requests without a deadline)
     * @param batch     what one commit does
     */
    public GroupCommit(String name, Duration linger, Duration rideAlong, Batch<T> batch) {
        this.name = name;
        this.batch = batch;
        this.lingerNanos = linger.toNanos();
        this.rideAlongNanos = rideAlong.toNanos();
        this.thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Completes once a commit that includes {@code item} has succeeded; exceptionally if it failed. */
    public CompletableFuture<Void> submit(T item) {
        return join(pending, item);
    }

    /**
     * Like {@link #submit}, without waking the committing thread: {@code item} joins the next batch,
     * at the latest {@code rideAlong} from now. For what no caller waits for (a record whose loss in
     * a crash costs only a redelivery).
     */
    public CompletableFuture<Void> submitRiding(T item) {
        if (rideAlongNanos <= 0) {
            throw new IllegalStateException(name + " takes no riders: it was started without a rideAlong");
        }
        return join(riders, item);
    }

    private CompletableFuture<Void> join(Queue<Request<T>> line, T item) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!open) {
            done.completeExceptionally(new IOException(name + " is closed"));
            return done;
        }
        line.add(new Request<>(item, done));
        return done;
    }

    private void loop() {
        List<Request<T>> requests = new ArrayList<>();
        List<T> items = new ArrayList<>();
        boolean stopping = false;
        while (!stopping) {
            try {
                // With riders it never waits without a deadline, so riders need no wake-up of their own.
                Request<T> first = rideAlongNanos > 0 ? pending.poll(rideAlongNanos, TimeUnit.NANOSECONDS) : pending.take();
                if (first != null) {
                    requests.add(first);
                    if (lingerNanos > 0 && first != stop) {
                        TimeUnit.NANOSECONDS.sleep(lingerNanos);
                    }
                } else if (riders.isEmpty()) {
                    continue;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            pending.drainTo(requests);
            for (Request<T> r; (r = riders.poll()) != null; ) {
                requests.add(r);
            }
            stopping = requests.remove(stop);
            if (!requests.isEmpty()) {
                requests.forEach(r -> items.add(r.item()));
                try {
                    batch.commit(items);
                    requests.forEach(r -> r.done().complete(null));
                } catch (IOException | RuntimeException e) {
                    // Not durable, so not acknowledged: each caller reports its own failure.
                    RuntimeException failure = e instanceof IOException io
                            ? new UncheckedIOException(name + ": " + io.getMessage(), io) : (RuntimeException) e;
                    requests.forEach(r -> r.done().completeExceptionally(failure));
                }
            }
            requests.clear();
            items.clear();
        }
        List<Request<T>> late = new ArrayList<>(riders);
        pending.drainTo(late);
        late.forEach(r -> r.done().completeExceptionally(new IOException(name + " is closed")));
    }

    /** Commits what is waiting, then stops; later requests fail. */
    @Override
    public void close() {
        open = false;
        pending.add(stop);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
