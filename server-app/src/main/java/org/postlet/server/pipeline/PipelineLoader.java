package org.postlet.server.pipeline;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.postlet.mailet.ProcessingState;
import org.postlet.server.config.ConfigFiles;
import org.postlet.server.config.ConfigProblem;
import org.postlet.server.config.InvalidConfigException;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.Locator;
import org.xml.sax.helpers.DefaultHandler;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads {@code pipeline.yaml} or {@code pipeline.xml} (contract §3) into a
 * {@link PipelineDefinition}. YAML nests {@code processors: - state: … mailets: - {…}}; XML has
 * {@code <processor state="…"><mailet match="…" class="…"><param>value</param></mailet>}. In both,
 * every key of a step other than {@code match}, {@code class}, {@code onMailetException} and
 * {@code onMatchException} is a mailet parameter.
 *
 * <p>commons-configuration2 gives the values but no positions, so the lines of processors and
 * steps come from a second, positional read of the same text: SnakeYAML's node marks for YAML,
 * a SAX locator for XML. A step's line is where the step begins (its {@code -} in YAML, its
 * {@code <mailet} in XML), whichever key comes first and however the step is laid out.
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
        BaseHierarchicalConfiguration c = ConfigFiles.read(file);
        boolean xml = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".xml");
        Positions positions = xml ? xmlPositions(file) : yamlPositions(file);
        List<ConfigProblem> problems = new ArrayList<>();
        positions.unknown().forEach(u -> problems.add(new ConfigProblem(file, u.line(), u.problem(), u.fix())));
        List<PipelineDefinition.Processor> processors = new ArrayList<>();
        int pIndex = 0;
        for (HierarchicalConfiguration<ImmutableNode> p : c.configurationsAt(xml ? "processor" : "processors")) {
            ProcessorPosition pos = positions.processor(pIndex++);
            String stateName = p.getString(xml ? "[@state]" : "state", "");
            int line = pos.line();
            ProcessingState state;
            try {
                state = new ProcessingState(stateName.strip());
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(file, line, stateName.isBlank() ? "a processor without a state name"
                        : "processor state '" + stateName + "' is not a valid name",
                        xml ? "give every processor state=\"<name>\", a name without spaces"
                                : "give every processor 'state: <name>', a name without spaces"));
                continue;
            }
            List<PipelineDefinition.Step> steps = new ArrayList<>();
            int sIndex = 0;
            for (HierarchicalConfiguration<ImmutableNode> s : p.configurationsAt(xml ? "mailet" : "mailets")) {
                StepPosition stepPos = pos.step(sIndex++);
                int stepLine = stepPos.line();
                Map<String, String> values = new LinkedHashMap<>();
                for (Iterator<String> keys = s.getKeys(); keys.hasNext(); ) {
                    String key = keys.next();
                    String name = key.startsWith("[@") ? key.substring(2, key.length() - 1) : key;
                    List<String> value = s.getList(String.class, key);
                    if (value == null) {
                        // YAML reads an unquoted key 'null' or '~' as no key at all; the tree has it, its value is lost.
                        problems.add(new ConfigProblem(file, stepLine, "a step in processor '" + stateName
                                + "' has a key that YAML reads as null (an unquoted null or ~)", "quote the key, e.g. \"null\": …, or remove it"));
                        continue;
                    }
                    values.put(name, String.join(", ", value));
                }
                String match = orNullScalar(values.remove(MATCH), stepPos, MATCH);
                String mailet = orNullScalar(values.remove(CLASS), stepPos, CLASS);
                if (mailet == null || mailet.isBlank()) {
                    problems.add(new ConfigProblem(file, stepLine, "a step in processor '" + stateName + "' has no class",
                            xml ? "add class=\"<Mailet>\" to the <mailet> element" : "add class: <Mailet> to the step"));
                    continue;
                }
                if (match == null || match.isBlank()) {
                    match = "All";
                }
                FailureAction onMailet = failureAction(file, stepLine, values.remove(ON_MAILET_EXCEPTION), ON_MAILET_EXCEPTION, problems);
                FailureAction onMatch = failureAction(file, stepLine, values.remove(ON_MATCH_EXCEPTION), ON_MATCH_EXCEPTION, problems);
                steps.add(new PipelineDefinition.Step(match.strip(), mailet.strip(), values, onMailet, onMatch, stepLine));
            }
            processors.add(new PipelineDefinition.Processor(state, line, steps));
        }
        problems.sort(Comparator.comparingInt(ConfigProblem::line));
        return new Loaded(new PipelineDefinition(file, processors), problems);
    }

    /** A value YAML read as null is taken as the text that was written, e.g. the mailet {@code Null}. */
    private static String orNullScalar(String value, StepPosition pos, String key) {
        return (value == null || value.isBlank()) && pos.nullScalars().containsKey(key) ? pos.nullScalars().get(key) : value;
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

    // ---- positions ---------------------------------------------------------------------------

    /** Where a processor and each of its steps begin; 0 where unknown. */
    private record ProcessorPosition(int line, List<StepPosition> steps) {
        StepPosition step(int i) {
            return i < steps.size() ? steps.get(i) : StepPosition.NONE;
        }
    }

    /**
     * Where a step begins, and the text of its keys that YAML read as null: {@code class: Null}
     * names the standard mailet, but YAML 1.1 resolves a plain {@code Null} to no value at all.
     */
    private record StepPosition(int line, Map<String, String> nullScalars) {
        static final StepPosition NONE = new StepPosition(0, Map.of());
    }

    /** A key or element the pipeline format does not have. */
    private record Unknown(int line, String problem, String fix) {
    }

    private record Positions(List<ProcessorPosition> processors, List<Unknown> unknown) {
        static final Positions NONE = new Positions(List.of(), List.of());

        ProcessorPosition processor(int i) {
            return i < processors.size() ? processors.get(i) : new ProcessorPosition(0, List.of());
        }
    }

    private static Optional<String> text(Path file) {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** YAML: the marks SnakeYAML keeps on every node (0-based lines). */
    private static Positions yamlPositions(Path file) {
        Optional<String> text = text(file);
        if (text.isEmpty()) {
            return Positions.NONE;
        }
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(new StringReader(text.get()));
        } catch (RuntimeException e) {
            return Positions.NONE; // commons-configuration2 read it; without positions we still report problems
        }
        if (!(root instanceof MappingNode top)) {
            return Positions.NONE;
        }
        List<ProcessorPosition> processors = new ArrayList<>();
        List<Unknown> unknown = new ArrayList<>();
        for (NodeTuple t : top.getValue()) {
            String key = scalar(t.getKeyNode());
            if (!"processors".equals(key)) {
                unknown.add(new Unknown(line(t.getKeyNode()), "unknown key '" + key + "' in a pipeline",
                        "a pipeline has only 'processors:', a list of processors"));
                continue;
            }
            if (!(t.getValueNode() instanceof SequenceNode list)) {
                unknown.add(new Unknown(line(t.getKeyNode()), "'processors' is not a list",
                        "write each processor as a list item: - state: root"));
                continue;
            }
            for (Node item : list.getValue()) {
                int pLine = line(item);
                List<StepPosition> steps = new ArrayList<>();
                if (item instanceof MappingNode processor) {
                    for (NodeTuple pt : processor.getValue()) {
                        String pKey = scalar(pt.getKeyNode());
                        if ("state".equals(pKey)) {
                            pLine = line(pt.getKeyNode());
                        } else if ("mailets".equals(pKey) && pt.getValueNode() instanceof SequenceNode stepList) {
                            stepList.getValue().forEach(step -> steps.add(new StepPosition(line(step), nullScalars(step))));
                        } else if (!"mailets".equals(pKey)) {
                            unknown.add(new Unknown(line(pt.getKeyNode()), "unknown key '" + pKey + "' in a processor",
                                    "a processor has only 'state:' and 'mailets:'; parameters belong to a step"));
                        }
                    }
                }
                processors.add(new ProcessorPosition(pLine, steps));
            }
        }
        return new Positions(processors, unknown);
    }

    private static Map<String, String> nullScalars(Node step) {
        Map<String, String> out = new LinkedHashMap<>();
        if (step instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (t.getValueNode() instanceof ScalarNode v && Tag.NULL.equals(v.getTag()) && !v.getValue().isBlank()
                        && !v.getValue().equals("~")) {
                    out.put(scalar(t.getKeyNode()), v.getValue());
                }
            }
        }
        return out;
    }

    private static String scalar(Node n) {
        return n instanceof ScalarNode s ? s.getValue() : String.valueOf(n);
    }

    private static int line(Node n) {
        return n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
    }

    /** XML: a SAX locator, which points at the end of each start tag, walked back to its {@code <}. */
    private static Positions xmlPositions(Path file) {
        Optional<String> text = text(file);
        if (text.isEmpty()) {
            return Positions.NONE;
        }
        List<String> lines = text.get().lines().toList();
        List<ProcessorPosition> processors = new ArrayList<>();
        List<Unknown> unknown = new ArrayList<>();
        DefaultHandler handler = new DefaultHandler() {
            private Locator locator;
            private int depth;
            private int processorLine;
            private List<StepPosition> steps;

            @Override
            public void setDocumentLocator(Locator l) {
                this.locator = l;
            }

            @Override
            public void startElement(String uri, String localName, String qName, Attributes attributes) {
                depth++;
                int line = tagStart(lines, qName, locator.getLineNumber());
                if (depth == 2 && qName.equals("processor")) {
                    processorLine = line;
                    steps = new ArrayList<>();
                    for (int i = 0; i < attributes.getLength(); i++) {
                        if (!attributes.getQName(i).equals("state")) {
                            unknown.add(new Unknown(line, "unknown attribute '" + attributes.getQName(i) + "' on <processor>",
                                    "a processor has only state=\"…\" and <mailet> elements"));
                        }
                    }
                } else if (depth == 2) {
                    unknown.add(new Unknown(line, "unknown element <" + qName + "> in a pipeline",
                            "a pipeline holds only <processor state=\"…\"> elements"));
                } else if (depth == 3 && steps != null && qName.equals("mailet")) {
                    steps.add(new StepPosition(line, Map.of()));
                } else if (depth == 3 && steps != null) {
                    unknown.add(new Unknown(line, "unknown element <" + qName + "> in a processor",
                            "a processor holds only <mailet match=\"…\" class=\"…\"> elements; parameters belong inside a <mailet>"));
                }
            }

            @Override
            public void endElement(String uri, String localName, String qName) {
                if (depth == 2 && steps != null) {
                    processors.add(new ProcessorPosition(processorLine, List.copyOf(steps)));
                    steps = null;
                }
                depth--;
            }
        };
        try {
            SAXParserFactory factory = SAXParserFactory.newInstance();
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            SAXParser parser = factory.newSAXParser();
            parser.parse(new InputSource(new StringReader(text.get())), handler);
        } catch (Exception e) {
            return Positions.NONE; // commons-configuration2 read it; without positions we still report problems
        }
        return new Positions(processors, unknown);
    }

    /** The line where {@code <name} opens, at or before {@code endLine}, where the locator left off. */
    private static int tagStart(List<String> lines, String name, int endLine) {
        String open = "<" + name;
        for (int i = Math.min(endLine, lines.size()) - 1; i >= 0 && i >= endLine - 20; i--) {
            if (lines.get(i).contains(open)) {
                return i + 1;
            }
        }
        return endLine;
    }
}
