package org.postlet.server.pipeline;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Timer;
import jakarta.mail.MessagingException;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.Mailet;
import org.postlet.mailet.ProcessingState;
import org.postlet.mailet.TemporaryFailureException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The running pipeline: processors of steps, each a matcher expression and a mailet
 * (docs/pipeline.md). Thread-safe: many workers process different mails at once; one mail is processed by one
 * thread.
 */
public final class Pipeline {

    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    /** More state changes than this is a loop in the pipeline; the mail goes to error. */
    static final int MAX_STATE_CHANGES = 32;

    /**
     * One step, ready to run.
     *
     * @param processor         the processor it belongs to
     * @param index             its position there, from 0
     * @param matcher           which recipients it acts on
     * @param mailet            what it does
     * @param onMailetException what a failing mailet leads to
     * @param onMatchException  what a failing matcher leads to
     * @param time              the time spent in the mailet's service()
     * @param exceptions        how often the mailet threw
     * @param mailetName        the mailet's name as the pipeline file gives it
     * @param sendsTo           the processors this step sends mail to when it works, as far as its parameters say
     * @param runs              how often this step's mailet ran (the timer is shared by the processor's steps of one mailet)
     * @param failures          how often this step's mailet threw
     */
    record Step(ProcessingState processor, int index, MatcherExpression matcher, Mailet mailet,
                FailureAction onMailetException, FailureAction onMatchException, Timer time, Meter exceptions,
                String mailetName, Set<ProcessingState> sendsTo, Meter runs, Meter failures) {
    }

    /**
     * How processing a mail ended: every part ghost, or some recipients deferred by a temporary
     * failure, to be tried again later.
     *
     * @param deferred the recipients to try again; empty when processing is complete
     * @param reason   why they were deferred (the last temporary failure), empty when complete
     */
    public record Outcome(List<MailAddress> deferred, String reason) {
        public Outcome {
            deferred = List.copyOf(deferred);
        }

        /** Whether nothing is left to do. */
        public boolean complete() {
            return deferred.isEmpty();
        }
    }

    /** A mail's failure that a step said to propagate: the mail stays in the spool and is retried. */
    public static final class PropagatedFailure extends Exception {
        PropagatedFailure(String message, Exception cause) {
            super(message, cause);
        }
    }

    private final Map<ProcessingState, List<Step>> processors;
    private final Map<ProcessingState, Meter> mailsIn;

    /** @param mailsIn counts the mails entering each processor */
    Pipeline(Map<ProcessingState, List<Step>> processors, Map<ProcessingState, Meter> mailsIn) {
        // In file order: operators read the processors as they wrote them.
        this.processors = Collections.unmodifiableMap(new LinkedHashMap<>(processors));
        this.mailsIn = Map.copyOf(mailsIn);
    }

    /** The processor states, for checks and tools. */
    public Set<ProcessingState> states() {
        return processors.keySet();
    }

    /**
     * The processors and steps with what they have done since the server started (the counters
     * are the metrics registry's, so they carry over a reload), for operators.
     */
    public PipelineView view() {
        List<PipelineView.Processor> out = new ArrayList<>();
        processors.forEach((state, steps) -> out.add(new PipelineView.Processor(state.name(), mailsIn.get(state).getCount(),
                steps.stream().map(s -> new PipelineView.Step(s.index(), s.matcher().toString(), s.mailetName(),
                        s.runs().getCount(), s.failures().getCount(), s.time().getSnapshot().getMean() / 1_000_000.0,
                        s.sendsTo().stream().map(ProcessingState::name).toList(), s.onMailetException().toString()))
                        .toList())));
        return new PipelineView(out);
    }

    /**
     * Runs a mail, and every part split from it, until each part is ghost or deferred by a
     * {@link TemporaryFailureException}.
     *
     * @return which recipients, if any, must be tried again later
     * @throws PropagatedFailure when a step with {@code propagate} failed: the caller keeps the mail
     */
    public Outcome process(QueuedMail mail) throws PropagatedFailure {
        return process(mail, PipelineTrace.NONE);
    }

    /** Like {@link #process(QueuedMail)}, telling {@code trace} about every step and every end. */
    public Outcome process(QueuedMail mail, PipelineTrace trace) throws PropagatedFailure {
        Processing processing = new Processing(trace);
        processing.work.push(new Position(mail, 0, 0));
        String previousId = MDC.get("queueId");
        List<QueuedMail> parts = new ArrayList<>();
        try {
            while (!processing.work.isEmpty()) {
                Position p = processing.work.pop();
                parts.add(p.mail);
                MDC.put("queueId", p.mail.name());
                processing.run(p);
            }
            return new Outcome(processing.deferred, processing.deferralReason);
        } finally {
            parts.forEach(QueuedMail::release);
            processing.work.forEach(p -> p.mail.release());
            if (previousId == null) {
                MDC.remove("queueId");
            } else {
                MDC.put("queueId", previousId);
            }
        }
    }

    /** Where a mail resumes: its step in its current processor and how often it changed state. */
    private record Position(QueuedMail mail, int step, int stateChanges) {
    }

    /** The processing of one mail and the parts split from it. */
    private final class Processing {
        final Deque<Position> work = new ArrayDeque<>();
        final List<MailAddress> deferred = new ArrayList<>();
        final PipelineTrace trace;
        String deferralReason = "";
        int splits;

        Processing(PipelineTrace trace) {
            this.trace = trace;
        }

        void run(Position start) throws PropagatedFailure {
            QueuedMail mail = start.mail;
            int step = start.step;
            int stateChanges = start.stateChanges;
            while (true) {
                ProcessingState state = mail.state();
                if (state.equals(ProcessingState.GHOST)) {
                    end(mail, state, false);
                    return;
                }
                if (mail.recipients().isEmpty()) {
                    LOG.debug("{}: no recipients left in processor {}; done", mail.name(), state);
                    mail.setState(ProcessingState.GHOST);
                    end(mail, state, false);
                    return;
                }
                List<Step> steps = processors.get(state);
                if (steps == null) {
                    if (state.equals(ProcessingState.ERROR)) {
                        throw new PropagatedFailure("mail " + mail.name() + " is in error (" + mail.errorMessage().orElse("no reason")
                                + ") and the pipeline has no error processor; it stays in the spool", null);
                    }
                    moveToError(mail, "no processor named '" + state + "'");
                    step = 0;
                    continue;
                }
                if (step == 0) {
                    mailsIn.get(state).mark();
                }
                boolean moved = false;
                for (int i = step; i < steps.size() && !moved; i++) {
                    Step s = steps.get(i);
                    Set<MailAddress> selected;
                    try {
                        selected = s.matcher().select(mail);
                    } catch (MessagingException | RuntimeException | LinkageError e) {
                        if (handleFailure(mail, s, s.onMatchException(), "matcher " + s.matcher(), asException(e))) {
                            moved = true;
                        }
                        continue;
                    }
                    if (selected.isEmpty()) {
                        continue;
                    }
                    QueuedMail target = mail;
                    if (selected.size() < mail.recipients().size()) {
                        target = split(mail, selected, ++splits);
                        mail.recipients().removeAll(selected);
                        LOG.debug("{}: split {} for {} at {}[{}]", mail.name(), target.name(), selected, state, i);
                    }
                    if (!service(target, s, selected)) {
                        if (target == mail) {
                            return;
                        }
                        continue;
                    }
                    if (target != mail) {
                        boolean stayed = target.state().equals(state);
                        work.push(new Position(target, stayed ? i + 1 : 0, stayed ? stateChanges : stateChanges + 1));
                    } else if (!mail.state().equals(state)) {
                        moved = true;
                    } else if (mail.recipients().isEmpty()) {
                        mail.setState(ProcessingState.GHOST);
                        end(mail, state, false);
                        return;
                    }
                }
                if (!moved) {
                    if (!mail.state().equals(ProcessingState.GHOST)) {
                        LOG.warn("{}: reached the end of processor '{}' without a new state; ending it (recipients {})",
                                mail.name(), state, mail.recipients());
                        mail.setState(ProcessingState.GHOST);
                    }
                    end(mail, state, false);
                    return;
                }
                step = 0;
                if (++stateChanges > MAX_STATE_CHANGES && !mail.state().equals(ProcessingState.GHOST)) {
                    if (mail.state().equals(ProcessingState.ERROR) || state.equals(ProcessingState.ERROR)) {
                        throw new PropagatedFailure("mail " + mail.name() + " loops between processors, last " + state
                                + " -> " + mail.state() + "; it stays in the spool", null);
                    }
                    moveToError(mail, "more than " + MAX_STATE_CHANGES + " processor changes, last " + state + " -> "
                            + mail.state() + ": the pipeline loops");
                }
            }
        }

        /** Runs the step's mailet; returns false when the mail was deferred and must not go on. */
        private boolean service(QueuedMail mail, Step s, Set<MailAddress> selected) throws PropagatedFailure {
            s.runs().mark();
            try (Timer.Context timed = s.time().time()) {
                s.mailet().service(mail);
                trace.stepRan(mail.name(), s.processor(), s.index(), s.matcher().toString(), s.mailet().info(), selected,
                        mail.state(), null);
            } catch (TemporaryFailureException e) {
                s.exceptions().mark();
                s.failures().mark();
                LOG.warn("{}: deferred for {}: {} in {}[{}]: {}", mail.name(), mail.recipients(), s.mailet().info(),
                        s.processor(), s.index(), e.getMessage());
                trace.stepRan(mail.name(), s.processor(), s.index(), s.matcher().toString(), s.mailet().info(), selected,
                        mail.state(), e);
                deferred.addAll(mail.recipients());
                deferralReason = e.getMessage();
                end(mail, s.processor(), true);
                mail.setState(ProcessingState.GHOST);
                return false;
            } catch (MessagingException | RuntimeException | LinkageError e) {
                s.exceptions().mark();
                s.failures().mark();
                Exception failure = asException(e);
                handleFailure(mail, s, s.onMailetException(), "mailet " + s.mailet().info(), failure);
                trace.stepRan(mail.name(), s.processor(), s.index(), s.matcher().toString(), s.mailet().info(), selected,
                        mail.state(), failure);
            }
            return true;
        }

        private void end(QueuedMail mail, ProcessingState lastState, boolean wasDeferred) {
            trace.ended(mail.name(), Collections.unmodifiableSet(new LinkedHashSet<>(mail.recipients())),
                    lastState, wasDeferred);
        }
    }

    /** Applies a step's failure action; returns whether the mail moved to another processor. */
    private boolean handleFailure(QueuedMail mail, Step s, FailureAction action, String what, Exception e)
            throws PropagatedFailure {
        String reason = what + " in " + s.processor() + "[" + s.index() + "] failed: " + e;
        switch (action.kind()) {
            case IGNORE -> {
                LOG.warn("{}: {} (ignored as configured)", mail.name(), reason);
                return false;
            }
            case PROPAGATE -> throw new PropagatedFailure(mail.name() + ": " + reason, e);
            default -> {
                LOG.warn("{}: {}; moving it to {}", mail.name(), reason, action.target().orElseThrow());
                LOG.debug("{}: the failure in full", mail.name(), e);
                mail.setErrorMessage(reason);
                mail.setState(action.target().orElseThrow());
                return true;
            }
        }
    }

    /** A class from lib/ext built against another mailet-api fails with a LinkageError: a failure of that step. */
    private static Exception asException(Throwable t) {
        return t instanceof Exception e ? e
                : new IllegalStateException(t + " (a component built against another version of the mailet-api?)", t);
    }

    private static void moveToError(QueuedMail mail, String reason) {
        LOG.error("{}: {}; moving it to error", mail.name(), reason);
        mail.setErrorMessage(reason);
        mail.setState(ProcessingState.ERROR);
    }

    private static QueuedMail split(QueuedMail mail, Set<MailAddress> selected, int n) throws PropagatedFailure {
        try {
            return mail.split(mail.name() + "-" + n, selected);
        } catch (MessagingException e) {
            throw new PropagatedFailure(mail.name() + ": cannot copy the message to split it: " + e, e);
        }
    }

    private final AtomicInteger inUse = new AtomicInteger();
    private final AtomicBoolean destroyed = new AtomicBoolean();
    private volatile boolean retired;

    /**
     * Takes the pipeline for one mail; false once it is retired (a newer one replaced it).
     * Every successful call needs one {@link #release()}.
     */
    boolean tryAcquire() {
        inUse.incrementAndGet();
        if (retired) {
            release();
            return false;
        }
        return true;
    }

    /** Gives the pipeline back after a mail; the last user of a retired pipeline destroys it. */
    void release() {
        if (inUse.decrementAndGet() == 0 && retired) {
            destroy();
        }
    }

    /** Takes no more mail and destroys the pipeline once the mails in it have finished. */
    void retire() {
        retired = true;
        if (inUse.get() == 0) {
            destroy();
        }
    }

    /** Calls destroy on every mailet and matcher, once. */
    public void destroy() {
        if (!destroyed.compareAndSet(false, true)) {
            return;
        }
        for (List<Step> steps : processors.values()) {
            for (Step s : steps) {
                s.mailet().destroy();
                s.matcher().leaves().forEach(l -> l.matcher().destroy());
            }
        }
    }
}
