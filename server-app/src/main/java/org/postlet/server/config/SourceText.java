package org.postlet.server.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Finds the line a key was written on. commons-configuration2 parses YAML and XML into a tree
 * without positions, so problems are located by searching the text for the key in order: good
 * enough to point an operator at the right line of a hand-written file.
 */
public final class SourceText {

    private final Path file;
    private final List<String> lines;

    private SourceText(Path file, List<String> lines) {
        this.file = file;
        this.lines = lines;
    }

    public static SourceText of(Path file) {
        try {
            return new SourceText(file, Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException | UncheckedIOException e) {
            return new SourceText(file, List.of());
        }
    }

    public Path file() {
        return file;
    }

    /**
     * The 1-based line of the first occurrence of {@code key} (as a YAML key {@code key:} or an
     * XML element or attribute {@code <key}, {@code key=}) at or after line {@code from}; 0 if
     * not found.
     */
    public int findKey(String key, int from) {
        Pattern p = Pattern.compile("(^|[\\s{,\\-<])" + Pattern.quote(key) + "(\\s*[:=>]|\\s|/|$)");
        for (int i = Math.max(0, from - 1); i < lines.size(); i++) {
            String line = lines.get(i);
            String code = line.strip().startsWith("#") ? "" : line;
            if (p.matcher(code).find()) {
                return i + 1;
            }
        }
        return 0;
    }

    /** Like {@link #findKey(String, int)}, falling back to {@code fallback} when not found. */
    public int findOr(String key, int from, int fallback) {
        int line = findKey(key, from);
        return line > 0 ? line : fallback;
    }

    /** The line of the first occurrence of {@code text} at or after {@code from}; 0 if not found. */
    public int findText(String text, int from) {
        for (int i = Math.max(0, from - 1); i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i + 1;
            }
        }
        return 0;
    }

    /** The first line at or after {@code from} holding both a key and a value, e.g. {@code state} and {@code root}; 0 if none. */
    public int findLineWithBoth(String key, String value, int from) {
        for (int i = Math.max(0, from - 1); i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.contains(key) && line.contains(value) && !line.strip().startsWith("#")) {
                return i + 1;
            }
        }
        return 0;
    }

    public ConfigProblem problem(int line, String problem, String fix) {
        return new ConfigProblem(file, line, problem, fix);
    }
}
