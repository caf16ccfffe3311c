package org.postlet.server.spool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Group commit for the spool directory: renames of messages finishing at the same time into
 * {@code queue/} share one fsync of the directory, which is what makes a rename durable. One
 * thread drains everything waiting, renames it all, syncs once, then completes every commit; a
 * lone message pays exactly what it would alone.
 */
final class BatchedRenames implements AutoCloseable {

    private record Pending(Path from, Path to, CompletableFuture<Void> done) {
    }

    /** Put last by {@link #close()}: everything before it is done, then the thread ends. */
    private static final Pending STOP = new Pending(null, null, null);

    private final Path directory;
    private final BlockingQueue<Pending> pending = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    BatchedRenames(Path directory) {
        this.directory = directory;
        this.thread = new Thread(this::loop, "postlet-spool-commit");
        thread.setDaemon(true);
        thread.start();
    }

    /** Renames {@code from} to {@code to} durably; the future completes once the directory is synced. */
    CompletableFuture<Void> rename(Path from, Path to) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!running) {
            done.completeExceptionally(new IOException("the spool is closed"));
            return done;
        }
        pending.add(new Pending(from, to, done));
        return done;
    }

    private void loop() {
        List<Pending> batch = new ArrayList<>();
        boolean stop = false;
        while (!stop) {
            try {
                batch.add(pending.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            pending.drainTo(batch);
            stop = batch.remove(STOP);
            List<Pending> moved = new ArrayList<>(batch.size());
            for (Pending p : batch) {
                try {
                    Files.move(p.from(), p.to(), StandardCopyOption.ATOMIC_MOVE);
                    moved.add(p);
                } catch (AtomicMoveNotSupportedException e) {
                    p.done().completeExceptionally(new IOException(
                            "spool directories must be on one file system: " + e.getMessage(), e));
                } catch (IOException e) {
                    p.done().completeExceptionally(e);
                }
            }
            try {
                if (!moved.isEmpty()) {
                    FileSpool.syncDirectory(directory);
                }
                moved.forEach(p -> p.done().complete(null));
            } catch (IOException e) {
                // Not durable, so not acknowledged: the clients get a 4xx and will send again.
                UncheckedIOException failure = new UncheckedIOException("cannot sync " + directory + ": " + e.getMessage(), e);
                moved.forEach(p -> p.done().completeExceptionally(failure));
            }
            batch.clear();
        }
        List<Pending> late = new ArrayList<>();
        pending.drainTo(late);
        late.forEach(p -> p.done().completeExceptionally(new IOException("the spool is closed")));
    }

    /** Finishes what is waiting, then stops. */
    @Override
    public void close() {
        running = false;
        pending.add(STOP);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
