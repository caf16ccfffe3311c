package org.postlet.server.spool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.postlet.maildir.DirectoryDurability;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Group commit for the spool directory: messages whose files were created in {@code queue/} and
 * fsync'd share one fsync of the directory, which is what makes their directory entries durable.
 * One thread takes every request waiting, syncs once, then completes them all; a lone message
 * pays exactly what it would alone.
 */
final class DirectorySync implements AutoCloseable {

    /** Put last by {@link #close()}: everything before it is done, then the thread ends. */
    private static final CompletableFuture<Void> STOP = new CompletableFuture<>();

    private final Path directory;
    private final BlockingQueue<CompletableFuture<Void>> pending = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    DirectorySync(Path directory) {
        this.directory = directory;
        this.thread = new Thread(this::loop, "postlet-spool-commit");
        thread.setDaemon(true);
        thread.start();
    }

    /** Completes once the directory has been fsync'd after this call. */
    CompletableFuture<Void> sync() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!running) {
            done.completeExceptionally(new IOException("the spool is closed"));
            return done;
        }
        pending.add(done);
        return done;
    }

    private void loop() {
        List<CompletableFuture<Void>> batch = new ArrayList<>();
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
            if (!batch.isEmpty()) {
                try {
                    DirectoryDurability.fsync(directory);
                    batch.forEach(f -> f.complete(null));
                } catch (IOException e) {
                    // Not durable, so not acknowledged: the clients get a 4xx and will send again.
                    UncheckedIOException failure = new UncheckedIOException("cannot sync " + directory + ": " + e.getMessage(), e);
                    batch.forEach(f -> f.completeExceptionally(failure));
                }
            }
            batch.clear();
        }
        List<CompletableFuture<Void>> late = new ArrayList<>();
        pending.drainTo(late);
        late.forEach(f -> f.completeExceptionally(new IOException("the spool is closed")));
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
