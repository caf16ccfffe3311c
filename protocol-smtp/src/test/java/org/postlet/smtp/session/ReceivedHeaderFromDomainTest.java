package org.postlet.smtp.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.IDN;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * An ASCII HELO name skips IDN.toASCII in the Received header; what follows {@code from} must be
 * exactly what the IDN path gives (a domain stays as it was sent, anything else becomes the
 * client's address literal).
 */
class ReceivedHeaderFromDomainTest {

    private static final String LITERAL = "[192.0.2.1]";
    /** The same rule as ReceivedHeader's, applied after IDN.toASCII as the slow path does. */
    private static final Pattern DOMAIN =
            Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    private static String throughIdn(String helo) {
        try {
            String ascii = IDN.toASCII(helo, 0);
            return ascii.length() <= 255 && DOMAIN.matcher(ascii).matches() ? ascii : LITERAL;
        } catch (IllegalArgumentException e) {
            return LITERAL;
        }
    }

    @Test
    void asciiNamesGiveWhatIdnGives() {
        String label63 = "a".repeat(63);
        String label64 = "a".repeat(64);
        String long256 = (label63 + ".").repeat(4).substring(0, 256);
        List<String> names = List.of("client.example", "Client.EXAMPLE", "mx1", "a-b.c-d.example", "-bad.example",
                "bad-.example", "a..b", "a.b.", ".a.b", "", "-", ".", label63 + ".example", label64 + ".example",
                long256, long256.substring(0, 255), "localhost", "123.example", "xn--bcher-kva.example");
        for (String helo : names) {
            assertThat(ReceivedHeader.fromDomain(helo, LITERAL)).as("HELO %s", helo).isEqualTo(throughIdn(helo));
        }
    }

    @Test
    void otherNamesStillGoThroughIdn() {
        assertThat(ReceivedHeader.fromDomain("bücher.example", LITERAL)).isEqualTo("xn--bcher-kva.example");
        assertThat(ReceivedHeader.fromDomain("under_score.example", LITERAL)).isEqualTo(LITERAL);
        assertThat(ReceivedHeader.fromDomain("[192.0.2.7]", LITERAL)).isEqualTo("[192.0.2.7]");
        assertThat(ReceivedHeader.fromDomain("client.example", LITERAL)).isEqualTo("client.example");
    }
}
