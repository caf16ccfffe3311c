package org.postlet.server.pipeline;

import com.google.inject.Injector;
import jakarta.mail.MessagingException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.postlet.mailet.Mailet;
import org.postlet.mailet.MailetContext;
import org.postlet.mailet.Matcher;
import org.postlet.mailet.ProcessingState;
import org.postlet.server.config.ConfigProblem;
import org.postlet.server.config.InvalidConfigException;

/**
 * Turns a {@link PipelineDefinition} into a running {@link Pipeline}: resolves, creates and
 * initialises every matcher and mailet, and checks the whole before anything starts, reporting
 * every problem at once as {@code FILE:LINE: problem — fix}.
 */
public final class PipelineBuilder {

    private final Components components;
    private final MailetContext context;

    /**
     * @param injector   creates mailets and matchers
     * @param extensions loads fully qualified classes, e.g. from {@code lib/ext}
     * @param context    handed to every mailet and matcher
     */
    public PipelineBuilder(Injector injector, ClassLoader extensions, MailetContext context) {
        this.components = new Components(injector, extensions);
        this.context = context;
    }

    /**
     * Builds the pipeline.
     *
     * @throws InvalidConfigException listing every problem; nothing is left initialised
     */
    public Pipeline build(PipelineDefinition definition) throws InvalidConfigException {
        List<ConfigProblem> problems = new ArrayList<>();
        Set<ProcessingState> states = new HashSet<>();
        for (PipelineDefinition.Processor p : definition.processors()) {
            if (!states.add(p.state())) {
                problems.add(new ConfigProblem(definition.file(), p.line(), "processor '" + p.state() + "' is defined twice",
                        "merge the two or rename one"));
            }
            if (p.state().equals(ProcessingState.GHOST)) {
                problems.add(new ConfigProblem(definition.file(), p.line(), "'ghost' cannot be a processor: it means processing has ended",
                        "rename the processor"));
            }
        }
        if (!states.contains(ProcessingState.ROOT)) {
            problems.add(new ConfigProblem(definition.file(), 0, "there is no 'root' processor, where every mail starts",
                    "add a processor with state: root"));
        }

        Map<ProcessingState, List<Pipeline.Step>> processors = new LinkedHashMap<>();
        for (PipelineDefinition.Processor p : definition.processors()) {
            List<Pipeline.Step> steps = new ArrayList<>();
            for (int i = 0; i < p.steps().size(); i++) {
                PipelineDefinition.Step d = p.steps().get(i);
                checkTarget(definition, d, d.onMailetException(), "onMailetException", states, problems);
                checkTarget(definition, d, d.onMatchException(), "onMatchException", states, problems);
                checkProcessorParameter(definition, d, states, problems);
                Optional<MatcherExpression> matcher = matcher(definition, d, problems);
                Optional<Mailet> mailet = mailet(definition, d, problems);
                if (matcher.isPresent() && mailet.isPresent()) {
                    steps.add(new Pipeline.Step(p.state(), i, matcher.get(), mailet.get(), d.onMailetException(),
                            d.onMatchException()));
                }
            }
            processors.put(p.state(), steps);
        }
        Pipeline pipeline = new Pipeline(processors);
        if (!problems.isEmpty()) {
            pipeline.destroy();
            throw new InvalidConfigException(problems);
        }
        return pipeline;
    }

    private Optional<MatcherExpression> matcher(PipelineDefinition def, PipelineDefinition.Step d, List<ConfigProblem> problems) {
        try {
            return Optional.of(MatcherExpressionParser.parse(d.match(), (name, condition) -> {
                Matcher m = components.newMatcher(name);
                m.init(new StepConfigs.Matcher(name, Optional.ofNullable(condition), context));
                return new MatcherExpression.Single(condition == null ? name : name + "=" + condition, m);
            }));
        } catch (Components.ComponentException e) {
            problems.add(new ConfigProblem(def.file(), d.line(), e.getMessage(), e.fix()));
        } catch (MatcherExpressionParser.SyntaxException e) {
            problems.add(new ConfigProblem(def.file(), d.line(), e.getMessage(),
                    "combine matchers with not, and, or and parentheses, e.g. \"RecipientIsLocal and not SenderIsNull\""));
        } catch (Exception e) {
            problems.add(new ConfigProblem(def.file(), d.line(), "matcher '" + d.match() + "': " + e.getMessage(),
                    "fix the matcher's condition"));
        }
        return Optional.empty();
    }

    private Optional<Mailet> mailet(PipelineDefinition def, PipelineDefinition.Step d, List<ConfigProblem> problems) {
        try {
            Mailet m = components.newMailet(d.mailet());
            m.init(new StepConfigs.Mailet(d.mailet(), d.parameters(), context));
            return Optional.of(m);
        } catch (Components.ComponentException e) {
            problems.add(new ConfigProblem(def.file(), d.line(), e.getMessage(), e.fix()));
        } catch (MessagingException | RuntimeException e) {
            problems.add(new ConfigProblem(def.file(), d.line(), d.mailet() + ": " + e.getMessage(),
                    "fix the step's parameters"));
        }
        return Optional.empty();
    }

    private static void checkTarget(PipelineDefinition def, PipelineDefinition.Step d, FailureAction action, String key,
                                    Set<ProcessingState> states, List<ConfigProblem> problems) {
        action.target().filter(t -> !t.equals(ProcessingState.ERROR) && !t.equals(ProcessingState.GHOST) && !states.contains(t))
                .ifPresent(t -> problems.add(new ConfigProblem(def.file(), d.line(),
                        key + " names processor '" + t + "', which does not exist", "add that processor or name another")));
    }

    /** A mailet's {@code processor} parameter names where it sends mail; it must exist. */
    private static void checkProcessorParameter(PipelineDefinition def, PipelineDefinition.Step d, Set<ProcessingState> states,
                                                List<ConfigProblem> problems) {
        String target = d.parameters().get("processor");
        if (target == null || target.isBlank()) {
            return;
        }
        try {
            ProcessingState t = new ProcessingState(target.strip());
            if (!t.equals(ProcessingState.GHOST) && !states.contains(t)) {
                problems.add(new ConfigProblem(def.file(), d.line(), d.mailet() + " sends mail to processor '" + t
                        + "', which does not exist", "add a processor with state: " + t + " or name an existing one"));
            }
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigProblem(def.file(), d.line(), e.getMessage(), "name an existing processor"));
        }
    }
}
