package org.postlet.server.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        BaseHierarchicalConfiguration config = Format.of(file) == Format.XML ? new XMLConfiguration() : new YAMLConfiguration();
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

    /** Parsers put the position in their message as "line N"; use it where they do. */
    private static int lineOf(String message) {
        Matcher m = Pattern.compile("line (\\d+)").matcher(message);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }
}
