package org.postlet.server.pipeline;

import java.util.Set;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.ProcessingState;

/**
 * Watches a mail go through the pipeline, step by step: what {@code bin/postlet trace} prints.
 * Called on the processing thread; the default does nothing.
 */
public interface PipelineTrace {

    /** Records nothing. */
    PipelineTrace NONE = new PipelineTrace() {
    };

    /**
     * A step's matcher selected some recipients and its mailet ran for them.
     *
     * @param mail       the name of the mail (or part) the mailet ran on
     * @param processor  the processor of the step
     * @param index      the step's position in it, from 0
     * @param matcher    the matcher expression
     * @param mailet     the mailet's description
     * @param recipients the recipients it ran for
     * @param stateAfter the mail's state when the mailet returned
     * @param failure    the failure, if the mailet threw, else null
     */
    default void stepRan(String mail, ProcessingState processor, int index, String matcher, String mailet,
                         Set<MailAddress> recipients, ProcessingState stateAfter, Exception failure) {
    }

    /**
     * A mail (or part) finished: it is ghost, or deferred to a retry.
     *
     * @param mail       the name of the mail or part
     * @param recipients its recipients at the end
     * @param lastState  the processor it was in when it ended
     * @param deferred   whether it ended by a temporary failure
     */
    default void ended(String mail, Set<MailAddress> recipients, ProcessingState lastState, boolean deferred) {
    }
}
