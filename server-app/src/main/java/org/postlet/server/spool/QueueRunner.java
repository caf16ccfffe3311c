package org.postlet.server.spool;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.postlet.server.pipeline.Pipeline;
import org.postlet.server.pipeline.QueuedMail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes mail from the spool and runs it through the pipeline on a bounded pool of worker
 * threads, separate from the SMTP event loops. A mail leaves the spool only when its processing
 * has ended; a mail whose processing failed with {@code propagate} stays and is retried later.
 */
public final class QueueRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QueueRunner.class);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(30);

    private final FileSpool spool;
    private final Supplier<Pipeline> pipeline;
    private final Clock clock;
    private final List<Thread> workers = new ArrayList<>();
    private final ScheduledExecutorService retries;
    private final AtomicBoolean running = new AtomicBoolean(true);

    /**
     * Starts {@code threads} workers.
     *
     * @param pipeline the pipeline to use for the next mail (a supplier, so a reload can swap it)
     */
    public QueueRunner(FileSpool spool, Supplier<Pipeline> pipeline, Clock clock, int threads) {
        this.spool = spool;
        this.pipeline = pipeline;
        this.clock = clock;
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "postlet-retry"));
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(this::work, "postlet-worker-" + (i + 1));
            workers.add(t);
            t.start();
        }
    }

    private void work() {
        while (running.get()) {
            String id;
            try {
                id = spool.take(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (id != null) {
                process(id, 0);
            }
        }
    }

    private void process(String id, int attempt) {
        QueuedMail mail;
        try {
            mail = new QueuedMail(spool.read(id), clock);
        } catch (IOException e) {
            LOG.error("{}: cannot read the spool file, leaving it in place for an operator: {}", id, e.getMessage());
            return;
        }
        try {
            pipeline.get().process(mail);
            spool.remove(id);
        } catch (Pipeline.PropagatedFailure e) {
            Duration delay = FIRST_RETRY.multipliedBy(1L << Math.min(attempt, 7));
            LOG.warn("{}: processing failed, retrying in {} s: {}", id, delay.toSeconds(), e.getMessage(), e.getCause());
            retries.schedule(() -> process(id, attempt + 1), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            LOG.error("{}: processed, but cannot remove it from the spool; it will be processed again after a restart: {}",
                    id, e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("{}: unexpected failure in the pipeline; the mail stays in the spool", id, e);
        }
    }

    /** Lets the workers finish the mail they hold, then stops them; queued mail stays in the spool. */
    @Override
    public void close() {
        running.set(false);
        retries.shutdownNow();
        for (Thread t : workers) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (t.isAlive()) {
                LOG.warn("{} still busy after 30 s at shutdown; its mail stays in the spool", t.getName());
            }
        }
    }
}
