package org.postlet.smtp.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Fuzzes AUTH exchanges (docs/fuzzing.md): PLAIN and LOGIN fed response lines that are random
 * text, or base64 of random bytes. Every step is one of the four outcomes, never an exception; a
 * challenge is valid base64; an exchange ends within the mechanism's number of responses; and
 * credentials that come out are exactly the ones the client encoded.
 */
class SaslExchangeFuzzTest {

    @FuzzTest(maxDuration = "3m")
    void exchanges(FuzzedDataProvider data) {
        SaslMechanism mechanism = data.pickValue(SaslMechanism.values());
        SaslExchange exchange = new SaslExchange(mechanism);
        boolean initial = data.consumeBoolean();
        SaslExchange.Step step = exchange.start(initial ? Optional.of(response(data)) : Optional.empty());
        int responses = initial ? 1 : 0;
        while (step instanceof SaslExchange.Challenge challenge) {
            Base64.getDecoder().decode(challenge.base64()); // a challenge the client can decode
            assertThat(responses).as("responses before the end of %s", mechanism)
                    .isLessThan(mechanism == SaslMechanism.PLAIN ? 1 : 2);
            step = exchange.respond(response(data));
            responses++;
        }
        assertThat(step).isNotNull();
        if (step instanceof SaslExchange.Malformed malformed) {
            assertThat(malformed.why()).isNotBlank();
        }
    }

    /** A well-formed PLAIN response gives back exactly the names and password that were encoded. */
    @FuzzTest(maxDuration = "3m")
    void plainCredentialsRoundTrip(FuzzedDataProvider data) {
        String authzid = utf8(data.consumeString(100));
        String username = utf8(data.consumeString(100));
        String password = utf8(data.consumeRemainingAsString());
        String message = authzid + "\0" + username + "\0" + password;
        String encoded = Base64.getEncoder().encodeToString(message.getBytes(StandardCharsets.UTF_8));
        SaslExchange.Step step = new SaslExchange(SaslMechanism.PLAIN).start(Optional.of(encoded.isEmpty() ? "=" : encoded));
        if (username.isEmpty() || (authzid + username + password).indexOf('\0') >= 0) {
            assertThat(step).isInstanceOf(SaslExchange.Malformed.class);
        } else {
            assertThat(step).isEqualTo(new SaslExchange.Complete(new Credentials(authzid, username, password)));
        }
    }

    private static String response(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 3)) {
            case 0 -> Base64.getEncoder().encodeToString(data.consumeBytes(data.consumeInt(0, 200)));
            case 1 -> "*";
            case 2 -> "=";
            default -> data.consumeString(200);
        };
    }

    /** Text as it survives the UTF-8 round trip of the wire (unpaired surrogates cannot be sent). */
    private static String utf8(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }
}
