package org.postlet.mailets.spam;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * rspamd's answer to {@code /checkv2}.
 *
 * @param score         the message's score
 * @param requiredScore the score at which rspamd would reject
 * @param action        {@code no action}, {@code greylist}, {@code add header}, {@code rewrite subject},
 *                      {@code soft reject} or {@code reject}
 * @param symbols       the names of the rules that matched
 */
record RspamdVerdict(double score, double requiredScore, String action, List<String> symbols) {

    private static final JsonFactory JSON = new JsonFactory();

    RspamdVerdict {
        symbols = List.copyOf(symbols);
    }

    /** Whether rspamd considers the message spam: any action but no action and greylist. */
    boolean spam() {
        return !action.equals("no action") && !action.equals("greylist");
    }

    /** Reads the top-level fields of the reply; the rest is skipped. */
    static RspamdVerdict parse(byte[] json) throws IOException {
        double score = 0;
        double required = 0;
        String action = null;
        List<String> symbols = new ArrayList<>();
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("rspamd's reply is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "score" -> score = p.getValueAsDouble();
                    case "required_score" -> required = p.getValueAsDouble();
                    case "action" -> action = p.getValueAsString();
                    case "symbols" -> {
                        if (value == JsonToken.START_OBJECT) {
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                symbols.add(p.currentName());
                                p.nextToken();
                                p.skipChildren();
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        }
        if (action == null) {
            throw new IOException("rspamd's reply has no action");
        }
        return new RspamdVerdict(score, required, action, symbols.stream().sorted().toList());
    }
}
