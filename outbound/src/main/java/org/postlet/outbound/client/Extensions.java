package org.postlet.outbound.client;

import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the remote server offered in its EHLO reply (nothing after a HELO).
 *
 * @param keywords the upper-case keywords of every line after the first
 * @param size     the SIZE limit, if it announced one (0 means no fixed limit)
 * @param auth     the SASL mechanisms of its AUTH line, upper-case
 */
public record Extensions(Set<String> keywords, OptionalLong size, Set<String> auth) {

    /** After HELO: no extension. */
    public static final Extensions NONE = new Extensions(Set.of(), OptionalLong.empty(), Set.of());

    public Extensions {
        keywords = Set.copyOf(keywords);
        auth = Set.copyOf(auth);
    }

    /** Reads an EHLO reply; the first line is the server's greeting, not an extension. */
    public static Extensions of(Reply ehlo) {
        Set<String> keywords = new TreeSet<>();
        OptionalLong size = OptionalLong.empty();
        Set<String> auth = new TreeSet<>();
        List<String> lines = ehlo.lines();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] words = line.strip().split("\\s+");
            String keyword = words[0].toUpperCase(Locale.ROOT);
            keywords.add(keyword);
            if (keyword.equals("AUTH")) {
                for (int i = 1; i < words.length; i++) {
                    auth.add(words[i].toUpperCase(Locale.ROOT));
                }
            }
            if (keyword.equals("SIZE") && words.length > 1) {
                try {
                    size = OptionalLong.of(Long.parseLong(words[1]));
                } catch (NumberFormatException e) {
                    size = OptionalLong.empty(); // a malformed limit is no limit we can honour; the server still judges
                }
            }
        }
        return new Extensions(keywords, size, auth);
    }

    /** Whether the server offered {@code keyword} ({@code PIPELINING}, {@code 8BITMIME}, ...). */
    public boolean offers(String keyword) {
        return keywords.contains(keyword);
    }

    /** Whether a message of {@code bytes} is over the announced limit. */
    public boolean tooLarge(long bytes) {
        return size.isPresent() && size.getAsLong() > 0 && bytes > size.getAsLong();
    }
}
