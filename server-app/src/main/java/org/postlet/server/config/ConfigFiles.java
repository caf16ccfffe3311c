package org.postlet.server.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.Locator;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a YAML or XML file (chosen by its extension) once into a {@link ConfigNode} tree with
 * lines: SnakeYAML's node marks for YAML, a SAX locator for XML. Also reads the line-based files
 * (passwd-file, aliases) with the same UTF-8 and size rules.
 */
public final class ConfigFiles {

    /** No hand-written configuration is this large; a larger file is a mistake (a log, a mailbox) or an attack. */
    public static final int MAX_BYTES = 3 * 1024 * 1024;

    private ConfigFiles() {
    }

    /** The format of a configuration file, from its name. */
    public enum Format {
        YAML, XML;

        public static Format of(Path file) {
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            return name.endsWith(".xml") ? XML : YAML;
        }
    }

    /**
     * Reads the file into its top-level mapping (in XML: the root element's attributes and children).
     *
     * @throws InvalidConfigException if it is missing, too large, not UTF-8, not well-formed or empty
     */
    public static ConfigNode.Mapping read(Path file) throws InvalidConfigException {
        String text = text(file);
        ConfigNode root = Format.of(file) == Format.XML ? xml(file, text) : yaml(file, text);
        if (root instanceof ConfigNode.Mapping m && !m.entries().isEmpty()) {
            return m;
        }
        boolean empty = root == null || root instanceof ConfigNode.Scalar s && s.value().isEmpty()
                || root instanceof ConfigNode.Mapping;
        throw single(file, root == null ? 0 : root.line(), empty ? "the file is empty"
                        : "the file holds a single value or a list, not keys",
                "write the settings as 'key: value' lines (docs/configuration.md, docs/mailets.md); an empty file is never taken as all defaults");
    }

    /**
     * The whole file as UTF-8 text.
     *
     * @throws InvalidConfigException if it is missing, unreadable, larger than {@link #MAX_BYTES} or not UTF-8
     */
    public static String text(Path file) throws InvalidConfigException {
        if (!Files.isRegularFile(file)) {
            throw single(file, 0, "file not found", "create it or point --conf at the directory that holds it");
        }
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw single(file, 0, "the file is too large: " + size + " bytes, the limit is " + MAX_BYTES
                        + " bytes (3 MiB)", "check that this is the configuration file meant; split a huge list into smaller files");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw single(file, 0, "cannot read: " + e.getMessage(), "check that the file exists and is readable");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == '\n') {
                    if (!utf8(bytes, lineStart, i)) {
                        break;
                    }
                    line++;
                    lineStart = i + 1;
                }
            }
            throw single(file, line, "not UTF-8: this line holds bytes that are not UTF-8 text",
                    "save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)");
        }
    }

    /** The file's lines, as {@link #text(Path)} reads it. */
    public static List<String> lines(Path file) throws InvalidConfigException {
        return text(file).lines().toList();
    }

    private static boolean utf8(byte[] bytes, int from, int to) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, from, to - from));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static InvalidConfigException single(Path file, int line, String problem, String fix) {
        return new InvalidConfigException(List.of(new ConfigProblem(file, line, problem, fix)));
    }

    // ---- YAML --------------------------------------------------------------------------------

    private static ConfigNode yaml(Path file, String text) throws InvalidConfigException {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_BYTES + 1); // the byte limit above is the one that speaks
        Node root;
        try {
            root = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1
                    : e.getContextMark() != null ? e.getContextMark().getLine() + 1 : 0;
            throw single(file, line, "YAML syntax error: " + YamlErrors.explain(e), YamlErrors.fix(e));
        } catch (YAMLException e) {
            throw single(file, 0, "YAML syntax error: " + e.getMessage().replaceAll("\\s+", " ").strip(),
                    "fix the syntax at that place");
        }
        return root == null ? null : node(root);
    }

    private static ConfigNode node(Node n) {
        int line = n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
        if (n instanceof MappingNode m) {
            List<ConfigNode.Entry> entries = new ArrayList<>();
            for (NodeTuple t : m.getValue()) {
                Node k = t.getKeyNode();
                String key = k instanceof ScalarNode s ? s.getValue() : String.valueOf(k);
                entries.add(new ConfigNode.Entry(key, k.getStartMark() == null ? line : k.getStartMark().getLine() + 1,
                        node(t.getValueNode())));
            }
            return new ConfigNode.Mapping(entries, line);
        }
        if (n instanceof SequenceNode s) {
            return new ConfigNode.Sequence(s.getValue().stream().map(ConfigFiles::node).toList(), line);
        }
        ScalarNode s = (ScalarNode) n;
        return new ConfigNode.Scalar(s.getValue(), Tag.NULL.equals(s.getTag()), line);
    }

    // ---- XML ---------------------------------------------------------------------------------

    /** An element being read: its attributes and children so far. */
    private static final class Element {
        final int line;
        final Map<String, List<ConfigNode.Entry>> children = new LinkedHashMap<>();
        final StringBuilder text = new StringBuilder();

        Element(int line) {
            this.line = line;
        }

        void add(String key, int line, ConfigNode value) {
            children.computeIfAbsent(key, k -> new ArrayList<>()).add(new ConfigNode.Entry(key, line, value));
        }

        /** Repeated child elements become a list, as commons-configuration and James read them. */
        ConfigNode toNode() {
            if (children.isEmpty()) {
                return new ConfigNode.Scalar(text.toString().strip(), false, line);
            }
            List<ConfigNode.Entry> entries = new ArrayList<>();
            children.forEach((key, list) -> entries.add(list.size() == 1 ? list.get(0)
                    : new ConfigNode.Entry(key, list.get(0).line(),
                    new ConfigNode.Sequence(list.stream().map(ConfigNode.Entry::value).toList(), list.get(0).line()))));
            return new ConfigNode.Mapping(entries, line);
        }
    }

    private static ConfigNode xml(Path file, String text) throws InvalidConfigException {
        List<String> lines = text.lines().toList();
        List<Element> open = new ArrayList<>();
        ConfigNode[] root = new ConfigNode[1];
        DefaultHandler handler = new DefaultHandler() {
            private Locator locator;

            @Override
            public void setDocumentLocator(Locator l) {
                this.locator = l;
            }

            @Override
            public void startElement(String uri, String localName, String qName, Attributes attributes) {
                int line = tagStart(lines, qName, locator.getLineNumber());
                Element e = new Element(line);
                for (int i = 0; i < attributes.getLength(); i++) {
                    e.add(attributes.getQName(i), line, new ConfigNode.Scalar(attributes.getValue(i), false, line));
                }
                open.add(e);
            }

            @Override
            public void characters(char[] ch, int start, int length) {
                open.get(open.size() - 1).text.append(ch, start, length);
            }

            @Override
            public void endElement(String uri, String localName, String qName) {
                Element e = open.remove(open.size() - 1);
                if (open.isEmpty()) {
                    root[0] = e.toNode();
                } else {
                    open.get(open.size() - 1).add(qName, e.line, e.toNode());
                }
            }
        };
        try {
            SAXParserFactory factory = SAXParserFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            SAXParser parser = factory.newSAXParser();
            parser.parse(new InputSource(new StringReader(text)), handler);
        } catch (SAXParseException e) {
            throw single(file, Math.max(0, e.getLineNumber()), "XML syntax error: " + e.getMessage(),
                    "fix the markup at that place");
        } catch (SAXException | IOException | javax.xml.parsers.ParserConfigurationException e) {
            throw single(file, 0, "XML syntax error: " + e.getMessage(), "fix the markup");
        }
        if (root[0] instanceof ConfigNode.Scalar s && s.value().isEmpty()) {
            return new ConfigNode.Mapping(List.of(), s.line());
        }
        return root[0];
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
