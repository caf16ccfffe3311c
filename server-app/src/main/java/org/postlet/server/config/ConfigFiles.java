package org.postlet.server.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.FileBasedConfiguration;
import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.YAMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;

/** Reads a YAML or XML file (chosen by its extension) into one hierarchical tree. */
public final class ConfigFiles {

    private ConfigFiles() {
    }

    /** The format of a configuration file, from its name. */
    public enum Format {
        YAML, XML;

        static Format of(Path file) {
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            return name.endsWith(".xml") ? XML : YAML;
        }
    }

    /**
     * Reads the file.
     *
     * @throws InvalidConfigException if it is missing or not well-formed, with the parser's words
     */
    public static BaseHierarchicalConfiguration read(Path file) throws InvalidConfigException {
        if (!Files.isRegularFile(file)) {
            throw new InvalidConfigException(List.of(new ConfigProblem(file, 0, "file not found",
                    "create it or point --conf at the directory that holds it")));
        }
        BaseHierarchicalConfiguration config;
        if (Format.of(file) == Format.XML) {
            XMLConfiguration xml = new XMLConfiguration();
            xml.setDocumentBuilder(documentBuilder());
            config = xml;
        } else {
            config = new YAMLConfiguration();
        }
        try {
            new FileHandler((FileBasedConfiguration) config).load(file.toFile());
        } catch (ConfigurationException e) {
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
            throw new InvalidConfigException(List.of(new ConfigProblem(file, lineOf(message),
                    "cannot parse: " + message.replaceAll("\\s+", " ").strip(), "fix the syntax at that place")));
        }
        return config;
    }

    /**
     * A parser that refuses any DOCTYPE. The default one fetches the external DTDs and entities a
     * file names, so a checked file could make Postlet open URLs or read local files into its
     * error messages (found by PipelineLoaderFuzzTest); configuration needs no DTD.
     */
    private static DocumentBuilder documentBuilder() {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            return factory.newDocumentBuilder();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser lacks a standard feature: " + e.getMessage(), e);
        }
    }

    /** Parsers put the position in their message as "line N"; use it where they do. */
    private static int lineOf(String message) {
        Matcher m = Pattern.compile("line (\\d+)").matcher(message);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }
}
