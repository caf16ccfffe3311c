package org.postlet.smtp.auth;

import java.util.Optional;
import org.postlet.smtp.command.AsciiCase;

/** The SASL mechanisms the server offers after {@code AUTH}, in the order advertised. */
public enum SaslMechanism {
    /** RFC 4616: {@code authzid NUL authcid NUL password} in one base64 response. */
    PLAIN,
    /** The widespread, never standardised mechanism: username and password in two responses. */
    LOGIN;

    /** The mechanism named by {@code name}, ignoring case; empty for one this server does not offer. */
    public static Optional<SaslMechanism> of(String name) {
        String upper = AsciiCase.upper(name);
        for (SaslMechanism m : values()) {
            if (m.name().equals(upper)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
