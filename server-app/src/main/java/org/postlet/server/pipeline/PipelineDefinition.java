package org.postlet.server.pipeline;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.postlet.mailet.ProcessingState;

/**
 * A pipeline as written in {@code pipeline.yaml} or {@code pipeline.xml}, before anything is
 * instantiated: both formats load into this one model.
 *
 * @param file       where it was read from
 * @param processors the processors in file order
 */
public record PipelineDefinition(Path file, List<Processor> processors) {

    public PipelineDefinition {
        processors = List.copyOf(processors);
    }

    /**
     * One processor.
     *
     * @param state its name
     * @param line  where it starts in the file (0 if unknown)
     * @param steps its steps in order
     */
    public record Processor(ProcessingState state, int line, List<Step> steps) {
        public Processor {
            steps = List.copyOf(steps);
        }
    }

    /**
     * One step: a matcher expression and a mailet with its parameters.
     *
     * @param match             the matcher expression, e.g. {@code RecipientIsLocal and not SenderIsNull}
     * @param mailet            the mailet's class: a simple name or a fully qualified class name
     * @param parameters        the mailet's parameters
     * @param onMailetException what to do when the mailet throws
     * @param onMatchException  what to do when the matcher throws
     * @param line              where the step is in the file (0 if unknown)
     */
    public record Step(String match, String mailet, Map<String, String> parameters, FailureAction onMailetException,
                       FailureAction onMatchException, int line) {
        public Step {
            parameters = Map.copyOf(parameters);
        }
    }
}
