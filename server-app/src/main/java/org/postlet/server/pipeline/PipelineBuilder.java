package org.postlet.server.pipeline;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.google.inject.Injector;
import jakarta.mail.MessagingException;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.Mailet;
import org.postlet.mailet.MailetContext;
import org.postlet.mailet.MailetParameter;
import org.postlet.mailet.Matcher;
import org.postlet.mailet.ProcessingState;
import org.postlet.server.config.ConfigProblem;
import org.postlet.server.config.InvalidConfigException;
import org.postlet.server.config.Suggestion;
import org.postlet.server.metrics.ServerMetric;

/**
 * Turns a {@link PipelineDefinition} into a running {@link Pipeline}: resolves, creates and
 * initialises every matcher and mailet, and checks the whole before anything starts, reporting
 * every problem at once as {@code FILE:LINE: problem — fix}.
 */
public final class PipelineBuilder {

    private final Components components;
    private final MailetContext context;
    private final MetricRegistry metrics;

    /**
     * @param injector   creates mailets and matchers
     * @param extensions loads fully qualified classes, e.g. from {@code lib/ext}
     * @param context    handed to every mailet and matcher
     */
    public PipelineBuilder(Injector injector, ClassLoader extensions, MailetContext context) {
        this.components = new Components(injector, extensions);
        this.context = context;
        this.metrics = injector.getInstance(MetricRegistry.class);
    }

    /**
     * Builds the pipeline.
     *
     * @throws InvalidConfigException listing every problem; nothing is left initialised
     */
    public Pipeline build(PipelineDefinition definition) throws InvalidConfigException {
        return build(definition, List.of());
    }

    /**
     * Builds what {@link PipelineLoader#read} could read, reporting its problems together with
     * the ones found here, so that one run of {@code bin/postlet check} lists them all.
     *
     * @throws InvalidConfigException listing every problem; nothing is left initialised
     */
    public Pipeline build(PipelineLoader.Loaded loaded) throws InvalidConfigException {
        return build(loaded.definition(), loaded.problems());
    }

    private Pipeline build(PipelineDefinition definition, List<ConfigProblem> earlier) throws InvalidConfigException {
        List<ConfigProblem> problems = new ArrayList<>(earlier);
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
                    String mailetName = d.mailet().substring(d.mailet().lastIndexOf('.') + 1);
                    steps.add(new Pipeline.Step(p.state(), i, matcher.get(), mailet.get(), d.onMailetException(),
                            d.onMatchException(),
                            metrics.timer(ServerMetric.PIPELINE_MAILET_TIME.dropwizardName(p.state().name(), mailetName)),
                            metrics.meter(ServerMetric.PIPELINE_MAILET_EXCEPTIONS.dropwizardName(p.state().name(), mailetName)),
                            mailetName, Collections.unmodifiableSet(routes(d, states)),
                            metrics.meter(ServerMetric.PIPELINE_STEP_RUNS.dropwizardName(p.state().name(), Integer.toString(i))),
                            metrics.meter(ServerMetric.PIPELINE_STEP_FAILURES.dropwizardName(p.state().name(), Integer.toString(i)))));
                }
            }
            processors.put(p.state(), steps);
        }
        if (states.contains(ProcessingState.ROOT)) {
            checkReachable(definition, problems); // without a root everything is unreachable: one problem is enough
        }
        Map<ProcessingState, Meter> mailsIn = new LinkedHashMap<>();
        processors.keySet().forEach(state ->
                mailsIn.put(state, metrics.meter(ServerMetric.PIPELINE_PROCESSOR_MAILS.dropwizardName(state.name()))));
        Pipeline pipeline = new Pipeline(processors, mailsIn);
        if (!problems.isEmpty()) {
            pipeline.destroy();
            problems.sort(Comparator.comparingInt(ConfigProblem::line)); // file order; the file-wide ones first
            throw new InvalidConfigException(problems);
        }
        return pipeline;
    }

    /**
     * Finds processors no mail can get to. Mail starts in {@code root}; {@code error} is reached
     * by any failure. From a reachable processor, mail goes where a step's
     * {@code onMailetException} / {@code onMatchException} says, and wherever a mailet parameter
     * names a processor: {@code processor} of {@code ToProcessor}, and equally {@code state},
     * {@code to} or any other parameter of a custom mailet that routes by configuration. What a
     * mailet decides in code alone cannot be seen here; the fix tells the operator to name the
     * state in a parameter of that step.
     */
    private static void checkReachable(PipelineDefinition def, List<ConfigProblem> problems) {
        Map<ProcessingState, PipelineDefinition.Processor> byState = new LinkedHashMap<>();
        def.processors().forEach(p -> byState.putIfAbsent(p.state(), p));
        Map<ProcessingState, Set<ProcessingState>> referrers = new LinkedHashMap<>();
        for (PipelineDefinition.Processor p : byState.values()) {
            for (ProcessingState t : targets(p, byState.keySet())) {
                referrers.computeIfAbsent(t, k -> new TreeSet<>(Comparator.comparing(ProcessingState::name)))
                        .add(p.state());
            }
        }
        Set<ProcessingState> reached = new HashSet<>();
        Deque<ProcessingState> work = new ArrayDeque<>();
        for (ProcessingState start : List.of(ProcessingState.ROOT, ProcessingState.ERROR)) {
            if (byState.containsKey(start) && reached.add(start)) {
                work.add(start);
            }
        }
        while (!work.isEmpty()) {
            for (ProcessingState t : targets(byState.get(work.poll()), byState.keySet())) {
                if (reached.add(t)) {
                    work.add(t);
                }
            }
        }
        for (PipelineDefinition.Processor p : byState.values()) {
            if (reached.contains(p.state()) || p.state().equals(ProcessingState.GHOST)) {
                continue;
            }
            Set<ProcessingState> from = referrers.getOrDefault(p.state(), Set.of());
            String why = from.isEmpty() ? "no step sends mail to it"
                    : "only processor(s) " + from.stream().map(s -> "'" + s + "'").collect(Collectors.joining(", "))
                    + " send mail to it, and no mail reaches them";
            problems.add(new ConfigProblem(def.file(), p.line(), "processor '" + p.state() + "' is never reached: " + why,
                    "send mail there from a reachable processor (e.g. a step with class: ToProcessor, processor: " + p.state()
                            + ", or onMailetException: " + p.state() + "; a custom mailet that routes there needs the state in"
                            + " one of its parameters) or remove the processor"));
        }
    }

    /** The processors a processor's steps may send mail to. */
    private static Set<ProcessingState> targets(PipelineDefinition.Processor p, Set<ProcessingState> defined) {
        Set<ProcessingState> out = new LinkedHashSet<>();
        p.steps().forEach(s -> out.addAll(targets(s, defined)));
        return out;
    }

    /** The processors one step may send mail to: its failure actions' and any parameter naming a processor. */
    private static Set<ProcessingState> targets(PipelineDefinition.Step s, Set<ProcessingState> defined) {
        Set<ProcessingState> out = new LinkedHashSet<>();
        s.onMailetException().target().ifPresent(out::add);
        s.onMatchException().target().ifPresent(out::add);
        out.addAll(routes(s, defined));
        out.retainAll(defined);
        return out;
    }

    /** The processors a step's parameters name: where it sends mail when it works. */
    private static Set<ProcessingState> routes(PipelineDefinition.Step s, Set<ProcessingState> defined) {
        Set<ProcessingState> out = new LinkedHashSet<>();
        for (String value : s.parameters().values()) {
            String v = value.strip();
            if (!v.isEmpty() && v.chars().noneMatch(Character::isWhitespace)) {
                ProcessingState named = new ProcessingState(v);
                if (defined.contains(named)) {
                    out.add(named);
                }
            }
        }
        out.retainAll(defined);
        return out;
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
            problems.add(initProblem(def, d, "matcher '" + d.match() + "'", e, "fix the matcher's condition"));
        }
        return Optional.empty();
    }

    private Optional<Mailet> mailet(PipelineDefinition def, PipelineDefinition.Step d, List<ConfigProblem> problems) {
        try {
            Mailet m = components.newMailet(d.mailet());
            if (unknownParameters(def, d, m.getClass(), problems)) {
                return Optional.empty(); // init would only repeat the problem in other words, or miss it
            }
            m.init(new StepConfigs.Mailet(d.mailet(), d.parameters(), context));
            return Optional.of(m);
        } catch (Components.ComponentException e) {
            problems.add(new ConfigProblem(def.file(), d.line(), e.getMessage(), e.fix()));
        } catch (MessagingException | RuntimeException e) {
            problems.add(initProblem(def, d, d.mailet(), e, "fix the step's parameters"));
        }
        return Optional.empty();
    }

    /**
     * Reports the parameters a mailet does not declare, for mailets that declare theirs with
     * {@link ComponentDoc} or {@link MailetParameter}: a misspelt {@code foldr} would otherwise be
     * ignored silently and mail filed in the wrong place. Third-party mailets that declare
     * nothing are not checked.
     *
     * @return whether there was an unknown parameter
     */
    private static boolean unknownParameters(PipelineDefinition def, PipelineDefinition.Step d, Class<?> mailet,
                                             List<ConfigProblem> problems) {
        MailetParameter[] declared = mailet.getAnnotationsByType(MailetParameter.class);
        if (declared.length == 0 && !mailet.isAnnotationPresent(ComponentDoc.class)) {
            return false;
        }
        Set<String> names = new LinkedHashSet<>();
        for (MailetParameter p : declared) {
            names.add(p.name());
        }
        boolean found = false;
        for (String given : new TreeSet<>(d.parameters().keySet())) {
            if (names.contains(given)) {
                continue;
            }
            found = true;
            String fix;
            if (names.isEmpty()) {
                fix = "it takes no parameters; remove '" + given + "'";
            } else {
                fix = "its parameters are " + String.join(", ", names)
                        + Suggestion.closest(given, names).map(n -> "; did you mean " + n + "?").orElse("");
            }
            problems.add(new ConfigProblem(def.file(), d.line(), d.mailet() + " has no parameter '" + given + "'", fix));
        }
        return found;
    }

    /**
     * A mailet's or matcher's {@code init} refused its configuration. Its message usually names
     * it already and often says how to fix it after a dash ({@code GenericMailet}'s required
     * parameters do); keep those words instead of repeating the name or adding a vaguer fix.
     */
    private static ConfigProblem initProblem(PipelineDefinition def, PipelineDefinition.Step d, String what, Exception e,
                                             String defaultFix) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        String problem = message.startsWith(d.mailet()) || message.startsWith(what) ? message : what + ": " + message;
        int dash = problem.indexOf(" — ");
        return dash > 0
                ? new ConfigProblem(def.file(), d.line(), problem.substring(0, dash), problem.substring(dash + 3))
                : new ConfigProblem(def.file(), d.line(), problem, defaultFix);
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
