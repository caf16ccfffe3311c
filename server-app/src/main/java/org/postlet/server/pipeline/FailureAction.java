package org.postlet.server.pipeline;

import java.util.Locale;
import java.util.Optional;
import org.postlet.mailet.ProcessingState;

/**
 * What a step does when its mailet or matcher throws ({@code onMailetException},
 * {@code onMatchException}): move the mail to a processor ({@code error} by default, or any
 * state), ignore the failure, or propagate it so the mail stays in the spool and is retried.
 *
 * @param kind   which of the three
 * @param target the processor for {@link Kind#MOVE}
 */
public record FailureAction(Kind kind, Optional<ProcessingState> target) {

    /** The three things a step can do with a failure. */
    public enum Kind { MOVE, IGNORE, PROPAGATE }

    /** The default: send the mail to the error processor. */
    public static final FailureAction TO_ERROR = new FailureAction(Kind.MOVE, Optional.of(ProcessingState.ERROR));

    /** Parses {@code error | ignore | propagate | <state>}. */
    public static FailureAction parse(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "error" -> TO_ERROR;
            case "ignore" -> new FailureAction(Kind.IGNORE, Optional.empty());
            case "propagate" -> new FailureAction(Kind.PROPAGATE, Optional.empty());
            default -> new FailureAction(Kind.MOVE, Optional.of(new ProcessingState(text.strip())));
        };
    }

    @Override
    public String toString() {
        return kind == Kind.MOVE ? target.orElseThrow().name() : kind.name().toLowerCase(Locale.ROOT);
    }
}
