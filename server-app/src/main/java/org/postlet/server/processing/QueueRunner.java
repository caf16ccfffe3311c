package org.postlet.server.processing;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.ProcessingState;
import org.postlet.queue.Deferral;
import org.postlet.queue.Disposition;
import org.postlet.queue.Lease;
import org.postlet.queue.MailQueue;
import org.postlet.queue.durability.Fsync;
import org.postlet.queue.durability.GroupCommit;
import org.postlet.server.metrics.ServerMetric;
import org.postlet.server.pipeline.LivePipeline;
import org.postlet.server.pipeline.Pipeline;
import org.postlet.server.pipeline.PipelineTrace;
import org.postlet.server.pipeline.QueuedMail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes mail from the queue and runs it through the pipeline on a bounded pool of worker threads,
 * apart from the SMTP event loops. A lease ends only once its processing has: recipients deferred
 * by a temporary failure (or by a step that propagates its failure) are given back to the queue
 * to retry after a growing delay, and past the retry policy's limit the mail goes to the error
 * processor. A mail the queue marks as a possible redelivery (or a retry) is run so delivery
 * mailets skip what they already did.
 *
 * <p>Deliveries leave the fsync of the directories they wrote into to the mail; those are synced
 * here, once for all mails finishing together, before their leases are acknowledged.
 */
public final class QueueRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QueueRunner.class);
    /** How long finished mails wait for others to share their directories' fsync and their wake-up. */
    static final Duration FINISH_LINGER = Duration.ofMillis(5);

    private final MailQueue queue;
    private final LivePipeline pipeline;
    private final Clock clock;
    private final RetryPolicy retryPolicy;
    private final Meter retried;
    private final GroupCommit<Finished> finishing;
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final RecentOutcomes recent;

    /**
     * Starts {@code threads} workers.
     *
     * @param pipeline the pipeline to use for the next mail (a reload may replace it)
     * @param metrics  where retries are counted
     */
    public QueueRunner(MailQueue queue, LivePipeline pipeline, Clock clock, RetryPolicy retryPolicy, int threads,
                       MetricRegistry metrics) {
        this(queue, pipeline, clock, retryPolicy, threads, metrics, new RecentOutcomes(RecentOutcomes.DEFAULT_CAPACITY));
    }

    /**
     * Starts {@code threads} workers that note how each mail ended in {@code recent}.
     *
     * @param pipeline the pipeline to use for the next mail (a reload may replace it)
     * @param metrics  where retries are counted
     */
    public QueueRunner(MailQueue queue, LivePipeline pipeline, Clock clock, RetryPolicy retryPolicy, int threads,
                       MetricRegistry metrics, RecentOutcomes recent) {
        this.recent = recent;
        this.queue = queue;
        this.pipeline = pipeline;
        this.clock = clock;
        this.retryPolicy = retryPolicy;
        this.retried = metrics.meter(ServerMetric.SPOOL_RETRIES.dropwizardName());
        // No one waits for these commits (the SMTP client has its 250, the mail is visible in new/):
        // lingering lets one directory fsync and one wake-up of this thread cover several mails.
        this.finishing = new GroupCommit<>("postlet-delivery-commit", FINISH_LINGER, Duration.ZERO, this::finish);
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(this::work, "postlet-worker-" + (i + 1));
            workers.add(t);
            t.start();
        }
    }

    private void work() {
        while (running.get()) {
            Optional<Lease> lease;
            try {
                lease = queue.take(Duration.ofMillis(200));
            } catch (InterruptedException e) {
                return;
            }
            lease.ifPresent(l -> {
                try {
                    process(l);
                } catch (Throwable t) {
                    // Whatever a mailet throws (a LinkageError from a jar built against another API, a
                    // StackOverflowError), the worker lives on and the lease stays open until a restart.
                    LOG.error("{}: processing failed with {}; the mail stays queued until a restart", l.id(), t.toString(), t);
                }
            });
        }
    }

    private void process(Lease lease) {
        Instant now = clock.instant();
        Optional<Deferral> deferral = lease.deferral();
        boolean giveUp = deferral.isPresent()
                && Duration.between(deferral.get().firstFailure(), now).compareTo(retryPolicy.giveUpAfter()) > 0;
        // The last attempt is the one after which the next retry would be past giveUpAfter: mailets
        // that owe the sender a notice (RemoteDelivery) send it then instead of deferring once more.
        int failed = deferral.map(Deferral::attempts).orElse(0);
        Instant firstFailure = deferral.map(Deferral::firstFailure).orElse(now);
        boolean lastAttempt = Duration.between(firstFailure, now.plus(retryPolicy.delayAfter(failed + 1)))
                .compareTo(retryPolicy.giveUpAfter()) > 0;
        QueuedMail mail = new QueuedMail(lease, clock, giveUp ? ProcessingState.ERROR : lease.state(), lastAttempt);
        if (giveUp) {
            mail.setErrorMessage("failing temporarily since " + deferral.get().firstFailure() + " ("
                    + deferral.get().attempts() + " attempts), giving up: " + deferral.get().reason());
            LOG.warn("{}: {}", lease.id(), mail.errorMessage().orElseThrow());
        }
        List<MailAddress> attempted = List.copyOf(mail.recipients());
        Pipeline.Outcome outcome;
        EndedIn endedIn = new EndedIn();
        RecentOutcomes.Result result;
        try {
            outcome = pipeline.process(mail, endedIn);
            result = outcome.complete() ? RecentOutcomes.Result.DONE : RecentOutcomes.Result.DEFERRED;
        } catch (Pipeline.PropagatedFailure e) {
            outcome = new Pipeline.Outcome(attempted, e.getMessage());
            result = RecentOutcomes.Result.FAILED;
        } catch (RuntimeException e) {
            LOG.error("{}: unexpected failure in the pipeline", lease.id(), e);
            outcome = new Pipeline.Outcome(attempted, "unexpected failure: " + e);
            result = RecentOutcomes.Result.FAILED;
        }
        recent.add(new RecentOutcomes.Outcome(clock.instant(), lease.id(),
                lease.envelope().sender().map(MailAddress::toString).orElse(""),
                attempted.stream().map(MailAddress::toString).toList(), result, List.copyOf(endedIn.processors),
                outcome.reason()));
        Disposition disposition;
        if (outcome.complete()) {
            disposition = Disposition.done();
        } else {
            int attempts = deferral.map(Deferral::attempts).orElse(0) + 1;
            Duration delay = retryPolicy.delayAfter(attempts);
            disposition = Disposition.retry(outcome.deferred(), delay, outcome.reason());
            retried.mark();
            LOG.warn("{}: deferred for {} (attempt {}), next attempt at {}: {}", lease.id(), outcome.deferred(), attempts,
                    now.plus(delay), outcome.reason());
        }
        finishing.submit(new Finished(lease, mail.directoriesToSync(), disposition));
    }

    /**
     * Collects the processors the parts of a mail ended in, e.g. {@code local} for a delivery: the
     * processor of the last step that ran on each part (when a step ends a mail, the state it
     * ended in is already ghost).
     */
    private static final class EndedIn implements PipelineTrace {
        final Set<String> processors = new LinkedHashSet<>();
        private final Map<String, ProcessingState> lastStep = new HashMap<>();

        @Override
        public void stepRan(String mail, ProcessingState processor, int index, String matcher, String mailet,
                            Set<MailAddress> recipients, ProcessingState stateAfter, Exception failure) {
            lastStep.put(mail, processor);
        }

        @Override
        public void ended(String mail, Set<MailAddress> recipients, ProcessingState lastState, boolean deferred) {
            if (!deferred) {
                processors.add(lastStep.getOrDefault(mail, lastState).name());
            }
        }
    }

    /** A lease whose processing has ended, waiting for its deliveries' directories to be synced. */
    private record Finished(Lease lease, Set<Path> directories, Disposition disposition) {
    }

    /**
     * Syncs every directory the finished mails wrote into, each once, then ends their leases. Under
     * load one fsync of a mailbox's new/ covers many mails. If a sync fails, no lease of the batch
     * is acknowledged: the mails are run again after a restart, as possible redeliveries.
     */
    private void finish(List<Finished> batch) throws IOException {
        Set<Path> directories = new LinkedHashSet<>();
        batch.forEach(f -> directories.addAll(f.directories()));
        try {
            for (Path directory : directories) {
                Fsync.directory(directory);
            }
        } catch (IOException e) {
            LOG.error("cannot make deliveries durable ({}); the mails {} stay queued and are checked again after a restart",
                    e.getMessage(), batch.stream().map(f -> f.lease().id()).toList());
            throw e;
        }
        for (Finished f : batch) {
            queue.acknowledge(f.lease(), f.disposition()).whenComplete((ok, failure) -> {
                if (failure != null) {
                    LOG.error("{}: cannot record the outcome in the queue ({}); the mail is run again after a restart",
                            f.lease().id(), failure.getMessage());
                }
            });
        }
    }

    /** Lets the workers finish the mail they hold, then stops them; queued mail stays queued. */
    @Override
    public void close() {
        running.set(false);
        for (Thread t : workers) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (t.isAlive()) {
                LOG.warn("{} still busy after 30 s at shutdown; its mail stays queued", t.getName());
            }
        }
        finishing.close();
    }
}
