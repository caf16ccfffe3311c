package org.postlet.server.pipeline;

import java.util.List;

/**
 * The running pipeline as operators see it (the admin API and the console): its processors in
 * file order, their steps, where each step may send mail, and the counters since the server started.
 *
 * @param processors the processors in file order
 */
public record PipelineView(List<Processor> processors) {

    public PipelineView {
        processors = List.copyOf(processors);
    }

    /**
     * One processor.
     *
     * @param name  its state, e.g. {@code root}
     * @param mails how many mails entered it
     * @param steps its steps in order
     */
    public record Processor(String name, long mails, List<Step> steps) {
        public Processor {
            steps = List.copyOf(steps);
        }
    }

    /**
     * One step.
     *
     * @param index      its position in the processor, from 0
     * @param match      its matcher expression
     * @param mailet     its mailet's name
     * @param calls      how often the mailet ran
     * @param exceptions how often it threw (temporary failures included)
     * @param meanMillis the mean run time in milliseconds of its mailet in this processor, recent runs weighing more
     * @param sendsTo    the processors it sends mail to when it works, as its parameters say
     * @param onFailure  what its mailet failing leads to: a processor, {@code ignore} or {@code propagate}
     */
    public record Step(int index, String match, String mailet, long calls, long exceptions, double meanMillis,
                       List<String> sendsTo, String onFailure) {
        public Step {
            sendsTo = List.copyOf(sendsTo);
        }
    }
}
