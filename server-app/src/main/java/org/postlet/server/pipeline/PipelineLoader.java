package org.postlet.server.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.postlet.mailet.ProcessingState;
import org.postlet.server.config.ConfigFiles;
import org.postlet.server.config.ConfigNode;
import org.postlet.server.config.ConfigProblem;
import org.postlet.server.config.InvalidConfigException;

/**
 * Reads {@code pipeline.yaml} or {@code pipeline.xml} (docs/pipeline.md) into a
 * {@link PipelineDefinition}. YAML nests {@code processors: - state: … mailets: - {…}}; XML has
 * {@code <processor state="…"><mailet match="…" class="…"><param>value</param></mailet>}. In both,
 * every key of a step other than {@code match}, {@code class}, {@code onMailetException} and
 * {@code onMatchException} is a mailet parameter.
 *
 * <p>The file is read once by {@link ConfigFiles} into nodes that carry their lines. A step's line
 * is where the step begins (its {@code -} in YAML, its {@code <mailet} in XML), whichever key
 * comes first and however the step is laid out.
 */
public final class PipelineLoader {

    private static final String MATCH = "match";
    private static final String CLASS = "class";
    private static final String ON_MAILET_EXCEPTION = "onMailetException";
    private static final String ON_MATCH_EXCEPTION = "onMatchException";

    /**
     * What was read: the definition of everything that could be read, and the problems found.
     * Lets a caller report these together with the problems {@link PipelineBuilder} finds in the
     * rest, so an operator sees every problem in one run.
     *
     * @param definition the processors and steps that were well-formed
     * @param problems   what was not, in file order
     */
    public record Loaded(PipelineDefinition definition, List<ConfigProblem> problems) {
        public Loaded {
            problems = List.copyOf(problems);
        }
    }

    /**
     * Loads the file.
     *
     * @throws InvalidConfigException listing every structural problem
     */
    public PipelineDefinition load(Path file) throws InvalidConfigException {
        Loaded loaded = read(file);
        if (!loaded.problems().isEmpty()) {
            throw new InvalidConfigException(loaded.problems());
        }
        return loaded.definition();
    }

    /**
     * Reads the file, keeping going past problems in single processors and steps.
     *
     * @throws InvalidConfigException only if the file is missing or not well-formed YAML or XML
     */
    public Loaded read(Path file) throws InvalidConfigException {
        ConfigNode.Mapping root = ConfigFiles.read(file);
        boolean xml = ConfigFiles.Format.of(file) == ConfigFiles.Format.XML;
        List<ConfigProblem> problems = new ArrayList<>();
        String processorsKey = xml ? "processor" : "processors";
        List<PipelineDefinition.Processor> processors = new ArrayList<>();
        for (ConfigNode.Entry top : root.entries()) {
            if (!top.key().equals(processorsKey)) {
                problems.add(new ConfigProblem(file, top.line(), xml ? "unknown element <" + top.key() + "> in a pipeline"
                        : "unknown key '" + top.key() + "' in a pipeline", xml ? "a pipeline holds only <processor state=\"…\"> elements"
                        : "a pipeline has only 'processors:', a list of processors"));
                continue;
            }
            if (!xml && !(top.value() instanceof ConfigNode.Sequence)) {
                problems.add(new ConfigProblem(file, top.line(), "'processors' is not a list",
                        "write each processor as a list item: - state: root"));
                continue;
            }
            for (ConfigNode p : ConfigNode.items(top.value())) {
                processor(file, p, xml, problems).ifPresent(processors::add);
            }
        }
        problems.sort(Comparator.comparingInt(ConfigProblem::line));
        return new Loaded(new PipelineDefinition(file, processors), problems);
    }

    private static Optional<PipelineDefinition.Processor> processor(Path file, ConfigNode node, boolean xml,
                                                                     List<ConfigProblem> problems) {
        ConfigNode.Mapping p = node instanceof ConfigNode.Mapping m ? m : new ConfigNode.Mapping(List.of(), node.line());
        Optional<ConfigNode.Entry> stateEntry = p.entry("state");
        String stateName = stateEntry.map(e -> text(e.value())).orElse("");
        int line = xml ? p.line() : stateEntry.map(ConfigNode.Entry::line).orElse(p.line());
        String stepsKey = xml ? "mailet" : "mailets";
        for (ConfigNode.Entry e : p.entries()) {
            if (!e.key().equals("state") && !e.key().equals(stepsKey)) {
                problems.add(new ConfigProblem(file, e.line(), xml
                        ? (e.line() == p.line() ? "unknown attribute '" + e.key() + "' on <processor>" : "unknown element <" + e.key() + "> in a processor")
                        : "unknown key '" + e.key() + "' in a processor", xml
                        ? "a processor has only state=\"…\" and <mailet match=\"…\" class=\"…\"> elements; parameters belong inside a <mailet>"
                        : "a processor has only 'state:' and 'mailets:'; parameters belong to a step"));
            }
        }
        ProcessingState state;
        try {
            state = new ProcessingState(stateName.strip());
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigProblem(file, line, stateName.isBlank() ? "a processor without a state name"
                    : "processor state '" + stateName + "' is not a valid name",
                    xml ? "give every processor state=\"<name>\", a name without spaces"
                            : "give every processor 'state: <name>', a name without spaces"));
            return Optional.empty();
        }
        List<PipelineDefinition.Step> steps = new ArrayList<>();
        Optional<ConfigNode.Entry> stepsEntry = p.entry(stepsKey);
        List<ConfigNode> stepNodes = stepsEntry.map(e -> e.value() instanceof ConfigNode.Scalar s && s.value().isEmpty()
                ? List.<ConfigNode>of() : ConfigNode.items(e.value())).orElse(List.of());
        for (ConfigNode s : stepNodes) {
            step(file, stateName, s, xml, problems).ifPresent(steps::add);
        }
        return Optional.of(new PipelineDefinition.Processor(state, line, steps));
    }

    private static Optional<PipelineDefinition.Step> step(Path file, String stateName, ConfigNode node, boolean xml,
                                                          List<ConfigProblem> problems) {
        int stepLine = node.line();
        Map<String, String> values = new LinkedHashMap<>();
        if (node instanceof ConfigNode.Mapping m) {
            for (ConfigNode.Entry e : m.entries()) {
                if (e.value() instanceof ConfigNode.Mapping) {
                    problems.add(new ConfigProblem(file, e.line(), "parameter '" + e.key() + "' holds keys, not a value",
                            "write " + e.key() + ": <value>, or a list of values as [a, b]"));
                    continue;
                }
                values.put(e.key(), text(e.value()));
            }
        }
        String match = values.remove(MATCH);
        String mailet = values.remove(CLASS);
        if (mailet == null || mailet.isBlank()) {
            problems.add(new ConfigProblem(file, stepLine, "a step in processor '" + stateName + "' has no class",
                    xml ? "add class=\"<Mailet>\" to the <mailet> element" : "add class: <Mailet> to the step"));
            return Optional.empty();
        }
        if (match == null || match.isBlank()) {
            match = "All";
        }
        FailureAction onMailet = failureAction(file, stepLine, values.remove(ON_MAILET_EXCEPTION), ON_MAILET_EXCEPTION, problems);
        FailureAction onMatch = failureAction(file, stepLine, values.remove(ON_MATCH_EXCEPTION), ON_MATCH_EXCEPTION, problems);
        return Optional.of(new PipelineDefinition.Step(match.strip(), mailet.strip(), values, onMailet, onMatch, stepLine));
    }

    /**
     * A value as the mailet sees it: a single value as written (YAML's {@code class: Null} names
     * the standard mailet, though YAML reads a plain {@code Null} as no value), a list joined with
     * ", ", and an empty list as "" (none), never as absent.
     */
    private static String text(ConfigNode node) {
        if (node instanceof ConfigNode.Scalar s) {
            return s.isNull() && (s.text().isBlank() || s.text().equals("~")) ? "" : s.text();
        }
        if (node instanceof ConfigNode.Sequence seq) {
            return String.join(", ", seq.items().stream().map(PipelineLoader::text).toList());
        }
        return "";
    }

    private static FailureAction failureAction(Path file, int line, String value, String key, List<ConfigProblem> problems) {
        if (value == null) {
            return FailureAction.TO_ERROR;
        }
        try {
            return FailureAction.parse(value);
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigProblem(file, line, key + " is '" + value + "': " + e.getMessage(),
                    "write error, ignore, propagate or the name of a processor"));
            return FailureAction.TO_ERROR;
        }
    }
}
