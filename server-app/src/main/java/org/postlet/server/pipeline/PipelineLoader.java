package org.postlet.server.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.postlet.mailet.ProcessingState;
import org.postlet.server.config.ConfigFiles;
import org.postlet.server.config.ConfigProblem;
import org.postlet.server.config.InvalidConfigException;
import org.postlet.server.config.SourceText;

/**
 * Reads {@code pipeline.yaml} or {@code pipeline.xml} (contract §3) into a
 * {@link PipelineDefinition}. YAML nests {@code processors: - state: … mailets: - {…}}; XML has
 * {@code <processor state="…"><mailet match="…" class="…"><param>value</param></mailet>}. In both,
 * every key of a step other than {@code match}, {@code class}, {@code onMailetException} and
 * {@code onMatchException} is a mailet parameter.
 */
public final class PipelineLoader {

    private static final String MATCH = "match";
    private static final String CLASS = "class";
    private static final String ON_MAILET_EXCEPTION = "onMailetException";
    private static final String ON_MATCH_EXCEPTION = "onMatchException";

    /**
     * Loads the file.
     *
     * @throws InvalidConfigException listing every structural problem
     */
    public PipelineDefinition load(Path file) throws InvalidConfigException {
        BaseHierarchicalConfiguration c = ConfigFiles.read(file);
        boolean xml = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".xml");
        SourceText src = SourceText.of(file);
        List<ConfigProblem> problems = new ArrayList<>();
        List<PipelineDefinition.Processor> processors = new ArrayList<>();
        int from = 1;
        for (HierarchicalConfiguration<ImmutableNode> p : c.configurationsAt(xml ? "processor" : "processors")) {
            String stateName = p.getString(xml ? "[@state]" : "state", "");
            int line = src.findLineWithBoth("state", stateName, from);
            if (line > 0) {
                from = line + 1;
            }
            ProcessingState state;
            try {
                state = new ProcessingState(stateName);
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(file, line, "a processor without a valid state name",
                        "give every processor 'state: <name>'"));
                continue;
            }
            List<PipelineDefinition.Step> steps = new ArrayList<>();
            for (HierarchicalConfiguration<ImmutableNode> s : p.configurationsAt(xml ? "mailet" : "mailets")) {
                int stepLine = src.findKey(CLASS, from);
                if (stepLine > 0) {
                    from = stepLine + 1;
                }
                Map<String, String> values = new LinkedHashMap<>();
                for (Iterator<String> keys = s.getKeys(); keys.hasNext(); ) {
                    String key = keys.next();
                    String name = key.startsWith("[@") ? key.substring(2, key.length() - 1) : key;
                    values.put(name, String.join(", ", s.getList(String.class, key)));
                }
                String match = values.remove(MATCH);
                String mailet = values.remove(CLASS);
                if (mailet == null || mailet.isBlank()) {
                    problems.add(new ConfigProblem(file, stepLine, "a step in processor '" + stateName + "' has no class",
                            "add class: <Mailet> to the step"));
                    continue;
                }
                if (match == null || match.isBlank()) {
                    match = "All";
                }
                FailureAction onMailet = FailureAction.TO_ERROR;
                FailureAction onMatch = FailureAction.TO_ERROR;
                try {
                    onMailet = FailureAction.parse(values.getOrDefault(ON_MAILET_EXCEPTION, "error"));
                    onMatch = FailureAction.parse(values.getOrDefault(ON_MATCH_EXCEPTION, "error"));
                } catch (IllegalArgumentException e) {
                    problems.add(new ConfigProblem(file, stepLine, e.getMessage(),
                            "write error, ignore, propagate or the name of a processor"));
                }
                values.remove(ON_MAILET_EXCEPTION);
                values.remove(ON_MATCH_EXCEPTION);
                steps.add(new PipelineDefinition.Step(match.strip(), mailet.strip(), values, onMailet, onMatch, stepLine));
            }
            processors.add(new PipelineDefinition.Processor(state, line, steps));
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        return new PipelineDefinition(file, processors);
    }
}
