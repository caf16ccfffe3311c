package org.postlet.server.spool;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.ProcessingState;
import org.postlet.maildir.DirectoryDurability;
import org.postlet.server.metrics.ServerMetric;
import org.postlet.server.pipeline.LivePipeline;
import org.postlet.server.pipeline.Pipeline;
import org.postlet.server.pipeline.QueuedMail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes mail from the spool and runs it through the pipeline on a bounded pool of worker
 * threads, separate from the SMTP event loops. A mail leaves the spool only when its processing
 * has ended. Recipients deferred by a temporary failure (or a step that propagates its failure)
 * stay in the spool with a retry record and are tried again after a growing delay; past the
 * retry policy's limit they go to the error processor. A mail found in the spool at start-up is
 * run again as a possible redelivery, so delivery mailets skip what they already did.
 */
public final class QueueRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QueueRunner.class);

    private final FileSpool spool;
    private final LivePipeline pipeline;
    private final Clock clock;
    private final RetryPolicy retryPolicy;
    private final Meter retried;
    private final DeferredDurability durability;
    private final BlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
    private final Thread cleaner;
    private final List<Thread> workers = new ArrayList<>();
    private final ScheduledExecutorService retries;
    private final AtomicBoolean running = new AtomicBoolean(true);

    /**
     * Starts {@code threads} workers.
     *
     * @param pipeline the pipeline to use for the next mail (a reload may replace it)
     * @param metrics  where retries are counted
     * @param durability collects the maildir directories a mail's deliveries touched, synced here
     *                   (shared between mails finishing together) before the mail leaves the spool
     */
    public QueueRunner(FileSpool spool, LivePipeline pipeline, Clock clock, RetryPolicy retryPolicy, int threads,
                       MetricRegistry metrics, DeferredDurability durability) {
        this.spool = spool;
        this.durability = durability;
        this.cleaner = new Thread(this::removeFinished, "postlet-spool-cleanup");
        cleaner.start();
        this.retried = metrics.meter(ServerMetric.SPOOL_RETRIES.dropwizardName());
        this.pipeline = pipeline;
        this.clock = clock;
        this.retryPolicy = retryPolicy;
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "postlet-retry");
            t.setDaemon(true);
            return t;
        });
        retries.scheduleWithFixedDelay(spool::pickUpMaildrop, 1, 1, TimeUnit.SECONDS);
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
                try {
                    process(id);
                } catch (Throwable t) {
                    // Whatever a mailet throws (a LinkageError from a jar built against another API, a
                    // StackOverflowError), the worker lives on and the mail stays in the spool.
                    LOG.error("{}: processing failed with {}; the mail stays in the spool until a restart", id, t.toString(), t);
                }
            }
        }
    }

    private void process(String id) {
        SpoolEntry entry;
        Optional<RetryState> retry;
        try {
            entry = spool.read(id);
            retry = spool.retryState(id);
        } catch (IOException e) {
            LOG.error("{}: cannot read the spool file, leaving it in place for an operator: {}", id, e.getMessage());
            return;
        }
        Instant now = clock.instant();
        // Found at start-up, not due yet. A time beyond the longest delay was written under a clock that
        // has been set back since: trying now beats holding the mail for the size of the jump.
        if (retry.isPresent() && retry.get().nextAttempt().isAfter(now)
                && !retry.get().nextAttempt().isAfter(now.plus(retryPolicy.maxDelay()))) {
            schedule(id, retry.get().nextAttempt());
            return;
        }
        boolean giveUp = retry.isPresent()
                && Duration.between(retry.get().firstFailure(), now).compareTo(retryPolicy.giveUpAfter()) > 0;
        QueuedMail mail;
        if (retry.isEmpty() && !spool.recovered(id)) {
            mail = new QueuedMail(entry, clock);
        } else {
            List<MailAddress> recipients = retry.map(RetryState::remaining).orElse(entry.envelope().recipients());
            mail = new QueuedMail(entry, clock, recipients, giveUp ? ProcessingState.ERROR : entry.state());
            if (giveUp) {
                mail.setErrorMessage("failing temporarily since " + retry.get().firstFailure() + " (" + retry.get().attempts()
                        + " attempts), giving up: " + retry.get().reason());
                LOG.warn("{}: {}", id, mail.errorMessage().orElseThrow());
            }
        }
        List<MailAddress> attempted = List.copyOf(mail.recipients());
        Pipeline.Outcome outcome;
        Set<Path> unsynced;
        durability.begin();
        try {
            outcome = pipeline.process(mail);
        } catch (Pipeline.PropagatedFailure e) {
            outcome = new Pipeline.Outcome(attempted, e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("{}: unexpected failure in the pipeline", id, e);
            outcome = new Pipeline.Outcome(attempted, "unexpected failure: " + e);
        } finally {
            unsynced = durability.end();
        }
        try {
            if (outcome.complete()) {
                finished.add(new Finished(id, unsynced));
            } else {
                for (Path directory : unsynced) {
                    DirectoryDurability.fsync(directory);
                }
                defer(id, retry, outcome, now);
            }
        } catch (IOException e) {
            LOG.error("{}: cannot update the spool ({}); the mail will be processed again after a restart", id, e.getMessage());
        }
    }

    private void defer(String id, Optional<RetryState> previous, Pipeline.Outcome outcome, Instant now) throws IOException {
        int attempts = previous.map(RetryState::attempts).orElse(0) + 1;
        Instant first = previous.map(RetryState::firstFailure).orElse(now);
        Instant next = now.plus(retryPolicy.delayAfter(attempts));
        spool.defer(id, new RetryState(outcome.deferred(), attempts, first, next, outcome.reason()));
        retried.mark();
        LOG.warn("{}: deferred for {} (attempt {}), next attempt at {}: {}", id, outcome.deferred(), attempts, next,
                outcome.reason());
        schedule(id, next);
    }

    /** A mail whose processing has ended, waiting for its deliveries' directories to be synced. */
    private record Finished(String id, Set<Path> directories) {
    }

    /** Put last by {@link #close()}: what came before is still synced and removed. */
    private static final Finished STOP = new Finished("", Set.of());

    /**
     * Group commit for deliveries: syncs every directory the waiting mails touched, each once, then
     * removes those mails from the spool. Under load one fsync of a mailbox's new/ covers many mails.
     */
    private void removeFinished() {
        List<Finished> batch = new ArrayList<>();
        boolean stop = false;
        while (!stop) {
            try {
                batch.add(finished.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            finished.drainTo(batch);
            stop = batch.remove(STOP);
            Set<Path> directories = new LinkedHashSet<>();
            batch.forEach(f -> directories.addAll(f.directories()));
            try {
                for (Path directory : directories) {
                    DirectoryDurability.fsync(directory);
                }
                for (Finished f : batch) {
                    spool.remove(f.id());
                }
            } catch (IOException e) {
                LOG.error("cannot make deliveries durable or clean up the spool ({}); the mails {} stay in the spool and are"
                        + " checked again after a restart", e.getMessage(), batch.stream().map(Finished::id).toList());
            }
            batch.clear();
        }
    }

    private void schedule(String id, Instant when) {
        long delay = Math.max(0, Duration.between(clock.instant(), when).toMillis());
        try {
            retries.schedule(() -> spool.requeue(id), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Shutting down: the retry record stays in the spool and the next start picks it up.
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
        finished.add(STOP);
        try {
            cleaner.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
