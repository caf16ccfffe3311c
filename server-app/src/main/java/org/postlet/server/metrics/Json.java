package org.postlet.server.metrics;

import java.util.List;

/** Just enough JSON for {@code /health}: strings escaped per RFC 8259, nothing else. */
final class Json {

    private Json() {
    }

    /** {@code text} as a JSON string literal, quotes included. */
    static String string(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    // Control characters must be escaped; U+2028/2029 too, so the body is also safe as JavaScript.
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** The body of {@code /health}: status, each check's state, and the problems when down. */
    static String health(Health health) {
        StringBuilder out = new StringBuilder(128).append("{\"status\":").append(string(health.up() ? "UP" : "DOWN"));
        out.append(",\"checks\":{");
        List<Health.Check> checks = health.checks();
        for (int i = 0; i < checks.size(); i++) {
            out.append(i == 0 ? "" : ",").append(string(checks.get(i).name())).append(':')
                    .append(string(checks.get(i).passed() ? "UP" : "DOWN"));
        }
        out.append('}');
        if (!health.up()) {
            out.append(",\"problems\":[");
            List<String> problems = health.problems();
            for (int i = 0; i < problems.size(); i++) {
                out.append(i == 0 ? "" : ",").append(string(problems.get(i)));
            }
            out.append(']');
        }
        return out.append('}').toString();
    }
}
