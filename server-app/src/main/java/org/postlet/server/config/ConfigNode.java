package org.postlet.server.config;

import java.util.List;
import java.util.Optional;

/**
 * A configuration file read once into a tree whose every node knows the line it was written on,
 * so a problem points at the line to edit without searching the text again. YAML and XML read
 * into the same tree; an explicit empty list ({@code []}, or an empty XML element) stays visible
 * as such, never as a missing key.
 */
public sealed interface ConfigNode {

    /** The 1-based line the node starts on; 0 when unknown. */
    int line();

    /**
     * A single value, as written.
     *
     * @param text   the text as written (numbers and booleans are not converted)
     * @param isNull YAML's null: an empty value, {@code ~} or {@code null}; the text is kept
     *               because {@code class: Null} names a mailet
     * @param line   where the value starts
     */
    record Scalar(String text, boolean isNull, int line) implements ConfigNode {

        /** The value, or empty when nothing (or only blanks, or YAML's null) was written. */
        public Optional<String> value() {
            return isNull || text.isBlank() ? Optional.empty() : Optional.of(text.strip());
        }
    }

    /**
     * A list; in XML, sibling elements of the same name.
     *
     * @param items the items in file order
     * @param line  where the list starts
     */
    record Sequence(List<ConfigNode> items, int line) implements ConfigNode {
        public Sequence {
            items = List.copyOf(items);
        }
    }

    /**
     * Keys and their values in file order; in XML, an element's attributes and child elements.
     *
     * @param entries the keys, duplicates included (so they can be reported)
     * @param line    where the mapping starts
     */
    record Mapping(List<Entry> entries, int line) implements ConfigNode {
        public Mapping {
            entries = List.copyOf(entries);
        }

        /** The first entry with this key. */
        public Optional<Entry> entry(String key) {
            return entries.stream().filter(e -> e.key().equals(key)).findFirst();
        }
    }

    /**
     * One key of a mapping.
     *
     * @param key   the key as written
     * @param line  the line of the key
     * @param value its value
     */
    record Entry(String key, int line, ConfigNode value) {
    }

    /** Nodes of a list: the items of a sequence, or the node itself (a single XML element, a single YAML value). */
    static List<ConfigNode> items(ConfigNode node) {
        return node instanceof Sequence s ? s.items() : List.of(node);
    }
}
