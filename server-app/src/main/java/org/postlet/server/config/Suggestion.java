package org.postlet.server.config;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean …?" for a misspelt name: a config key, a mailet, a matcher. */
public final class Suggestion {

    private Suggestion() {
    }

    /** The one name that differs only in case or by at most two letters, if there is exactly one. */
    public static Optional<String> closest(String name, Collection<String> names) {
        List<String> near = names.stream().distinct()
                .filter(n -> n.equalsIgnoreCase(name) || distance(n.toLowerCase(Locale.ROOT), name.toLowerCase(Locale.ROOT)) <= 2)
                .sorted().toList();
        return near.size() == 1 ? Optional.of(near.get(0)) : Optional.empty();
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
