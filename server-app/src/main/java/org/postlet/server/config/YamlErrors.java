package org.postlet.server.config;

import java.util.List;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Says a YAML syntax error in an operator's words: SnakeYAML's messages name parser states
 * ("while scanning a simple key", "expected &lt;block end&gt;"), not what to change in the file.
 */
final class YamlErrors {

    /** A parser message fragment and what it means in the file. */
    private record Known(String fragment, String sentence, String fix) {
    }

    private static final List<Known> KNOWN = List.of(
            new Known("(TAB)", "a tab character: YAML indents with spaces only",
                    "replace the tabs at the start of the line with spaces"),
            new Known("mapping values are not allowed here", "a 'key:' where no key can start",
                    "check the indentation of this line against the one above, and quote a value that contains ': '"),
            new Known("could not find expected ':'", "a line that is neither 'key: value' nor a list item",
                    "add the ':' after the key, or quote the value of the line above if it goes on here"),
            new Known("expected <block end>", "the indentation does not line up with the lines above",
                    "indent keys of the same level with the same number of spaces"),
            new Known("expected ',' or ']'", "a [list] that is not closed",
                    "close the list with ']' and separate its items with ','"),
            new Known("expected ',' or '}'", "a { key: value } block that is not closed",
                    "close it with '}' and separate its entries with ','"),
            new Known("found unexpected end of stream", "the file ends inside a quoted value or a bracket",
                    "close the quote or bracket that was opened"),
            new Known("found undefined alias", "a '*name' that refers to no '&name' above it",
                    "quote the value if the '*' is meant literally"),
            new Known("found character '@' that cannot start any token", "a value that starts with '@'",
                    "quote the value, e.g. \"@example.test\""),
            new Known("found character '`' that cannot start any token", "a value that starts with '`'",
                    "quote the value"),
            new Known("found duplicate anchor", "the same '&name' twice", "give each anchor its own name"));

    private YamlErrors() {
    }

    static String explain(MarkedYAMLException e) {
        String problem = e.getProblem() == null ? "" : e.getProblem();
        for (Known k : KNOWN) {
            if (problem.contains(k.fragment())) {
                return k.sentence() + context(e);
            }
        }
        return problem.replaceAll("\\s+", " ").strip() + context(e);
    }

    static String fix(MarkedYAMLException e) {
        String problem = e.getProblem() == null ? "" : e.getProblem();
        return KNOWN.stream().filter(k -> problem.contains(k.fragment())).map(Known::fix).findFirst()
                .orElse("fix the syntax at that place");
    }

    /** Where the construct that failed began, when that is another line. */
    private static String context(MarkedYAMLException e) {
        if (e.getContextMark() == null || e.getProblemMark() == null
                || e.getContextMark().getLine() == e.getProblemMark().getLine()) {
            return "";
        }
        return " (in what starts on line " + (e.getContextMark().getLine() + 1) + ")";
    }
}
