package org.postlet.smtp.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SaslExchangeTest {

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void plainSplitsAuthzidUsernameAndPassword() {
        SaslExchange.Step step = new SaslExchange(SaslMechanism.PLAIN).start(Optional.of(b64("admin\0alice\0pa:ss")));
        assertThat(step).isEqualTo(new SaslExchange.Complete(new Credentials("admin", "alice", "pa:ss")));
    }

    @Test
    void plainWithoutInitialResponseSendsAnEmptyChallenge() {
        SaslExchange exchange = new SaslExchange(SaslMechanism.PLAIN);
        assertThat(exchange.start(Optional.empty())).isEqualTo(new SaslExchange.Challenge(""));
        assertThat(exchange.respond(b64("\0bob\0pw"))).isEqualTo(new SaslExchange.Complete(new Credentials("", "bob", "pw")));
    }

    @Test
    void loginAsksForUsernameThenPassword() {
        SaslExchange exchange = new SaslExchange(SaslMechanism.LOGIN);
        assertThat(exchange.start(Optional.empty())).isEqualTo(new SaslExchange.Challenge(b64("Username:")));
        assertThat(exchange.respond(b64("carol"))).isEqualTo(new SaslExchange.Challenge(b64("Password:")));
        assertThat(exchange.respond(b64("pw"))).isEqualTo(new SaslExchange.Complete(new Credentials("", "carol", "pw")));
    }

    @Test
    void cancelAndMalformedResponses() {
        assertThat(new SaslExchange(SaslMechanism.LOGIN).respond("*")).isEqualTo(SaslExchange.Cancelled.INSTANCE);
        assertThat(new SaslExchange(SaslMechanism.PLAIN).respond("not base64!")).isInstanceOf(SaslExchange.Malformed.class);
        assertThat(new SaslExchange(SaslMechanism.PLAIN).respond(b64("a\0b"))).isInstanceOf(SaslExchange.Malformed.class);
        assertThat(new SaslExchange(SaslMechanism.PLAIN).respond("=")).isInstanceOf(SaslExchange.Malformed.class);
    }

    @Test
    void credentialsNeverPrintThePassword() {
        assertThat(new Credentials("", "alice", "hunter2").toString()).doesNotContain("hunter2");
    }
}
