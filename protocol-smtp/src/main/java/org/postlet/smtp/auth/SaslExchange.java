package org.postlet.smtp.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * The client's side of one AUTH exchange, as a small state machine: the session feeds it the
 * initial response and each response line, and it answers with the next {@link Step}. Decoding
 * is strict: a response that is not valid base64 ends the exchange (RFC 4954 §4: 501 5.5.2).
 * Not thread-safe; one exchange per AUTH command.
 */
public final class SaslExchange {

    private static final String USERNAME_CHALLENGE = encode("Username:");
    private static final String PASSWORD_CHALLENGE = encode("Password:");

    /** What happens next in the exchange. */
    public sealed interface Step permits Challenge, Complete, Cancelled, Malformed {
    }

    /** Send {@code 334 challenge} and wait for a response line. */
    public record Challenge(String base64) implements Step {
    }

    /** The client has presented its credentials. */
    public record Complete(Credentials credentials) implements Step {
    }

    /** The client answered {@code *} (RFC 4954 §4): reply 501 and end the exchange. */
    public enum Cancelled implements Step { INSTANCE }

    /** The response could not be decoded or has the wrong form: reply 501 5.5.2 with {@code why}. */
    public record Malformed(String why) implements Step {
    }

    private final SaslMechanism mechanism;
    private String username;

    /** An exchange for one mechanism. */
    public SaslExchange(SaslMechanism mechanism) {
        this.mechanism = mechanism;
    }

    public SaslMechanism mechanism() {
        return mechanism;
    }

    /**
     * Starts the exchange.
     *
     * @param initialResponse the base64 text after the mechanism name in the AUTH command
     *                        ({@code =} for an empty response), if the client sent one
     */
    public Step start(Optional<String> initialResponse) {
        if (initialResponse.isEmpty()) {
            return new Challenge(mechanism == SaslMechanism.PLAIN ? "" : USERNAME_CHALLENGE);
        }
        return respond(initialResponse.get());
    }

    /** Takes one response line from the client. */
    public Step respond(String line) {
        if (line.equals("*")) {
            return Cancelled.INSTANCE;
        }
        String decoded;
        try {
            decoded = line.equals("=") ? "" : new String(Base64.getDecoder().decode(line), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return new Malformed("Cannot decode response");
        }
        return mechanism == SaslMechanism.PLAIN ? plain(decoded) : login(decoded);
    }

    private Step plain(String message) {
        // authzid NUL authcid NUL passwd (RFC 4616 §2); neither name may be empty but authzid.
        String[] parts = message.split("\0", -1);
        if (parts.length != 3 || parts[1].isEmpty()) {
            return new Malformed("Invalid PLAIN response: expected authzid NUL username NUL password");
        }
        return new Complete(new Credentials(parts[0], parts[1], parts[2]));
    }

    private Step login(String text) {
        if (username == null) {
            if (text.isEmpty()) {
                return new Malformed("Empty username");
            }
            username = text;
            return new Challenge(PASSWORD_CHALLENGE);
        }
        return new Complete(new Credentials("", username, text));
    }

    private static String encode(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }
}
