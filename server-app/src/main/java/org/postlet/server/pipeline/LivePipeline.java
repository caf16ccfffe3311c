package org.postlet.server.pipeline;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The pipeline the server runs, which a reload replaces without stopping anything: mails already
 * in the old pipeline finish there, new ones take the new one, and the old one is destroyed when
 * its last mail is done.
 */
public final class LivePipeline implements AutoCloseable {

    private final AtomicReference<Pipeline> current;

    public LivePipeline(Pipeline initial) {
        this.current = new AtomicReference<>(initial);
    }

    /** Runs a mail through the current pipeline; see {@link Pipeline#process(QueuedMail)}. */
    public Pipeline.Outcome process(QueuedMail mail) throws Pipeline.PropagatedFailure {
        return process(mail, PipelineTrace.NONE);
    }

    /** Like {@link #process(QueuedMail)}, telling {@code trace} about every step and every end. */
    public Pipeline.Outcome process(QueuedMail mail, PipelineTrace trace) throws Pipeline.PropagatedFailure {
        while (true) {
            Pipeline p = current.get();
            if (p.tryAcquire()) {
                try {
                    return p.process(mail, trace);
                } finally {
                    p.release();
                }
            }
            // Retired between get() and tryAcquire(): the replacement is already current.
        }
    }

    /** Makes {@code next} the pipeline for every mail from now on. */
    public void replace(Pipeline next) {
        current.getAndSet(next).retire();
    }

    /** The pipeline new mail goes to. */
    public Pipeline current() {
        return current.get();
    }

    /** Retires the current pipeline; it is destroyed once its mails are done. */
    @Override
    public void close() {
        current.get().retire();
    }
}
