package org.postlet.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.postlet.mailet.MailetException;
import org.postlet.mailet.ParameterValues;

/**
 * Typed reading of one mapping of a configuration file (the whole file, or one listener), by
 * dotted key. Every problem goes to the shared list with the line of the key, so the loader
 * keeps going and reports them all. A key that is absent takes its default; a key that is present
 * but empty is a problem, never the default; an explicit empty list is an empty list.
 */
public final class ConfigSection {

    private final Path file;
    private final String prefix;
    private final ConfigNode.Mapping mapping;
    private final List<ConfigProblem> problems;

    private ConfigSection(Path file, String prefix, ConfigNode.Mapping mapping, List<ConfigProblem> problems) {
        this.file = file;
        this.prefix = prefix;
        this.mapping = mapping;
        this.problems = problems;
    }

    /** The top level of a file; problems are added to {@code problems}. */
    public static ConfigSection of(Path file, ConfigNode.Mapping root, List<ConfigProblem> problems) {
        return new ConfigSection(file, "", root, problems);
    }

    public Path file() {
        return file;
    }

    /** The line of the mapping itself. */
    public int line() {
        return mapping.line();
    }

    /** The entry of a dotted key, through nested mappings. */
    public Optional<ConfigNode.Entry> entry(String key) {
        ConfigNode.Mapping m = mapping;
        String[] parts = key.split("\\.");
        for (int i = 0; i < parts.length; i++) {
            Optional<ConfigNode.Entry> e = m.entry(parts[i]);
            if (e.isEmpty() || i == parts.length - 1) {
                return e;
            }
            if (!(e.get().value() instanceof ConfigNode.Mapping next)) {
                return Optional.empty();
            }
            m = next;
        }
        return Optional.empty();
    }

    public boolean has(String key) {
        return entry(key).isPresent();
    }

    /** The line of the key, else of its closest enclosing key that is written, else of this section. */
    public int line(String key) {
        for (String k = key; !k.isEmpty(); k = k.contains(".") ? k.substring(0, k.lastIndexOf('.')) : "") {
            Optional<ConfigNode.Entry> e = entry(k);
            if (e.isPresent()) {
                return e.get().line();
            }
        }
        return mapping.line();
    }

    /** The key as the operator knows it, e.g. {@code smtp.listeners.port}. */
    public String name(String key) {
        return prefix + key;
    }

    public void problem(int line, String problem, String fix) {
        problems.add(new ConfigProblem(file, line, problem, fix));
    }

    /** Adds a problem at the key's line. */
    public void problem(String key, String problem, String fix) {
        problem(line(key), problem, fix);
    }

    /** A single value; empty when absent. Present but empty, or not a single value, is a problem. */
    public Optional<String> string(String key) {
        Optional<ConfigNode.Entry> e = entry(key);
        if (e.isEmpty()) {
            return Optional.empty();
        }
        if (!(e.get().value() instanceof ConfigNode.Scalar s)) {
            problem(e.get().line(), name(key) + " must be a single value, not a " + shape(e.get().value()),
                    "write " + name(key) + ": <value>");
            return Optional.empty();
        }
        if (s.value().isEmpty()) {
            problem(e.get().line(), name(key) + " is present but has no value",
                    "write a value, or remove the line to use the default");
        }
        return s.value();
    }

    public String string(String key, String def) {
        return string(key).orElse(def);
    }

    public int integer(String key, int def) {
        return parsed(key, def, text -> {
            try {
                return Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name(key) + " is '" + text + "', not a whole number");
            }
        }, "write a number such as " + def);
    }

    public long size(String key, long def) {
        return parsed(key, def, text -> {
            try {
                return ParameterValues.size(name(key), text);
            } catch (MailetException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
        }, "write bytes or a size such as 25MB");
    }

    public Duration duration(String key, Duration def) {
        return parsed(key, def, text -> {
            try {
                return ParameterValues.duration(name(key), text);
            } catch (MailetException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
        }, "write a duration such as 300s");
    }

    public <E extends Enum<E>> E choice(Class<E> type, String key, E def) {
        StringBuilder allowed = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            allowed.append(allowed.length() == 0 ? "" : " | ").append(e.name().toLowerCase(Locale.ROOT));
        }
        return parsed(key, def, text -> {
            for (E e : type.getEnumConstants()) {
                if (e.name().equalsIgnoreCase(text)) {
                    return e;
                }
            }
            throw new IllegalArgumentException(name(key) + " is '" + text + "'");
        }, "write one of " + allowed);
    }

    /** {@code true} or {@code false}. */
    public boolean bool(String key, boolean def) {
        return parsed(key, def, text -> switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(name(key) + " is '" + text + "'");
        }, "write true or false");
    }

    /** A value converted by {@code parse}, whose IllegalArgumentException message is the problem. */
    public <T> T parsed(String key, T def, Function<String, T> parse, String fix) {
        Optional<String> text = string(key);
        if (text.isEmpty()) {
            return def;
        }
        try {
            return parse.apply(text.get());
        } catch (IllegalArgumentException e) {
            problem(key, e.getMessage(), fix);
            return def;
        }
    }

    /**
     * A list of single values: empty when absent; {@code []} (in XML an empty element) is an empty
     * list, never the default; one value alone is a list of one.
     */
    public Optional<List<ConfigNode.Scalar>> list(String key) {
        Optional<ConfigNode.Entry> e = entry(key);
        if (e.isEmpty()) {
            return Optional.empty();
        }
        ConfigNode value = e.get().value();
        if (value instanceof ConfigNode.Scalar s && s.isNull()) {
            problem(e.get().line(), name(key) + " is present but has no value",
                    "write [] for none, list the values as [a, b], or remove the line to use the default");
            return Optional.empty();
        }
        if (value instanceof ConfigNode.Scalar s && s.value().isEmpty()) {
            return Optional.of(List.of()); // an empty XML element
        }
        List<ConfigNode.Scalar> items = new ArrayList<>();
        for (ConfigNode item : ConfigNode.items(value)) {
            if (item instanceof ConfigNode.Scalar s && s.value().isPresent()) {
                items.add(s);
            } else {
                problem(item.line(), name(key) + " has an item that is not a single value",
                        "write each item as a plain value, e.g. [a, b]");
            }
        }
        return Optional.of(items);
    }

    /** The values of a list, or {@code def} when the key is absent. */
    public List<String> strings(String key, List<String> def) {
        return list(key).map(l -> l.stream().map(s -> s.text().strip()).toList()).orElse(def);
    }

    /** The mappings of a list of mappings (one mapping alone counts as a list of one); empty when absent. */
    public Optional<List<ConfigSection>> sections(String key) {
        Optional<ConfigNode.Entry> e = entry(key);
        if (e.isEmpty()) {
            return Optional.empty();
        }
        ConfigNode value = e.get().value();
        if (value instanceof ConfigNode.Scalar s && s.isNull()) {
            problem(e.get().line(), name(key) + " is present but has no value", "write [] for none, or list the entries");
            return Optional.empty();
        }
        if (value instanceof ConfigNode.Scalar s && s.value().isEmpty()) {
            return Optional.of(List.of());
        }
        List<ConfigSection> sections = new ArrayList<>();
        for (ConfigNode item : ConfigNode.items(value)) {
            if (item instanceof ConfigNode.Mapping m) {
                sections.add(new ConfigSection(file, prefix + key + ".", m, problems));
            } else {
                problem(item.line(), "an entry of " + name(key) + " is a " + shape(item) + ", not a set of keys",
                        "write each entry as keys, e.g. - { name: mx, port: 2525 }");
            }
        }
        return Optional.of(sections);
    }

    /**
     * Reports every key that is not in {@code known} (dotted paths from this section), with a
     * suggestion when one is close, and keys written twice in one mapping.
     */
    public void checkKeys(Set<String> known) {
        checkKeys(mapping, "", known);
    }

    private void checkKeys(ConfigNode.Mapping m, String path, Set<String> known) {
        Map<String, Integer> seen = new HashMap<>();
        for (ConfigNode.Entry e : m.entries()) {
            String full = path + e.key();
            Integer first = seen.putIfAbsent(e.key(), e.line());
            if (first != null) {
                problem(e.line(), "key '" + prefix + full + "' is written twice (also on line " + first + "); only one can count",
                        "remove one of them");
            }
            if (e.key().contains(".")) {
                problem(e.line(), "key '" + e.key() + "' has a dot; keys are nested, not dotted",
                        "nest the parts: write smtp: { maxRecipients: 100 } for smtp.maxRecipients: 100");
                continue;
            }
            if (known.contains(full)) {
                continue;
            }
            boolean section = known.stream().anyMatch(k -> k.startsWith(full + "."));
            if (!section) {
                problem(e.line(), "unknown key '" + prefix + full + "'", suggest(e.key(), path, known));
                continue;
            }
            ConfigNode value = e.value();
            for (ConfigNode item : value instanceof ConfigNode.Sequence s ? s.items() : List.of(value)) {
                if (item instanceof ConfigNode.Mapping child) {
                    checkKeys(child, full + ".", known);
                } else if (!(item instanceof ConfigNode.Scalar s && s.value().isEmpty())) {
                    problem(item.line(), "'" + prefix + full + "' holds keys (" + String.join(", ", children(full + ".", known))
                            + "), not a value", "write its keys indented below it");
                }
            }
        }
    }

    private String suggest(String key, String path, Set<String> known) {
        Collection<String> siblings = children(path, known);
        Optional<String> near = Suggestion.closest(key, siblings);
        if (near.isPresent()) {
            return "did you mean '" + prefix + path + near.get() + "'?";
        }
        Optional<String> elsewhere = known.stream().filter(k -> k.endsWith("." + key) || k.equals(key)).findFirst();
        if (elsewhere.isPresent()) {
            return "'" + key + "' belongs under " + prefix + elsewhere.get().substring(0, elsewhere.get().lastIndexOf('.'))
                    + "; move it there";
        }
        return "remove it or correct its spelling; the keys here are " + String.join(", ", siblings)
                + " (docs/configuration.md lists them all)";
    }

    private static Collection<String> children(String path, Set<String> known) {
        Set<String> names = new TreeSet<>();
        for (String k : known) {
            if (k.startsWith(path)) {
                String rest = k.substring(path.length());
                names.add(rest.contains(".") ? rest.substring(0, rest.indexOf('.')) : rest);
            }
        }
        return names;
    }

    private static String shape(ConfigNode n) {
        return n instanceof ConfigNode.Mapping ? "set of keys" : n instanceof ConfigNode.Sequence ? "list" : "value";
    }
}
