package org.postlet.smtp.policy;

/**
 * A policy's answer. {@code ACCEPT} lets the command proceed; {@code REJECT} answers with a 5xx
 * reply, {@code DEFER} with a 4xx reply, both with the given code, enhanced status code (RFC 3463)
 * and text.
 *
 * @param kind         accept, reject permanently or defer (temporary)
 * @param code         the SMTP reply code, e.g. 550; 250 for ACCEPT
 * @param enhancedCode e.g. {@code 5.1.1}
 * @param text         the reply text
 */
public record Verdict(Kind kind, int code, String enhancedCode, String text) {

    /** What the server does with the command. */
    public enum Kind { ACCEPT, REJECT, DEFER }

    private static final Verdict ACCEPTED = new Verdict(Kind.ACCEPT, 250, "2.1.5", "OK");

    public Verdict {
        int expectedClass = switch (kind) {
            case ACCEPT -> 2;
            case DEFER -> 4;
            case REJECT -> 5;
        };
        if (code / 100 != expectedClass || !enhancedCode.startsWith(expectedClass + ".")) {
            throw new IllegalArgumentException(kind + " needs a " + expectedClass + "xx reply, got " + code + " " + enhancedCode);
        }
    }

    /** The recipient is accepted. */
    public static Verdict accept() {
        return ACCEPTED;
    }

    /** A permanent refusal, e.g. {@code reject(550, "5.1.1", "unknown user")}. */
    public static Verdict reject(int code, String enhancedCode, String text) {
        return new Verdict(Kind.REJECT, code, enhancedCode, text);
    }

    /** A temporary refusal, e.g. {@code defer(451, "4.3.0", "try again later")}. */
    public static Verdict defer(int code, String enhancedCode, String text) {
        return new Verdict(Kind.DEFER, code, enhancedCode, text);
    }
}
