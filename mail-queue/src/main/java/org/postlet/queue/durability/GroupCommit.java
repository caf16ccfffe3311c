package org.postlet.queue.durability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Group commit: requests that arrive while a commit runs wait for the next one and share it. One
 * thread takes every request waiting, commits them in one batch (typically one fsync for many
 * mails), then completes them all; a lone request pays exactly what it would alone. Under load the
 * batch grows by itself, so the cost per request falls as the rate rises.
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
    private final BlockingQueue<Request<T>> pending = new LinkedBlockingQueue<>();
    /** Put last by {@link #close()}: everything before it is committed, then the thread ends. */
    private final Request<T> stop = new Request<>(null, new CompletableFuture<>());
    private final Thread thread;
    private volatile boolean open = true;

    /**
     * Starts the committing thread.
     *
     * @param name  the thread's name, e.g. {@code postlet-queue-commit}
     * @param batch what one commit does
     */
    public GroupCommit(String name, Batch<T> batch) {
        this.name = name;
        this.batch = batch;
        this.thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Completes once a commit that includes {@code item} has succeeded; exceptionally if it failed. */
    public CompletableFuture<Void> submit(T item) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!open) {
            done.completeExceptionally(new IOException(name + " is closed"));
            return done;
        }
        pending.add(new Request<>(item, done));
        return done;
    }

    private void loop() {
        List<Request<T>> requests = new ArrayList<>();
        List<T> items = new ArrayList<>();
        boolean stopping = false;
        while (!stopping) {
            try {
                requests.add(pending.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            pending.drainTo(requests);
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
        List<Request<T>> late = new ArrayList<>();
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
