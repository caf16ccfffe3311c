package org.postlet.smtp.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.postlet.smtp.command.Verb;

class SessionStateTest {

    @Test
    void mailNeedsAGreetingAndNoOpenTransaction() {
        assertThat(SessionState.CONNECTED.refusal(Verb.MAIL)).isPresent();
        assertThat(SessionState.GREETED.refusal(Verb.MAIL)).isEmpty();
        assertThat(SessionState.SENDER_GIVEN.refusal(Verb.MAIL)).isPresent();
        assertThat(SessionState.RECIPIENTS_GIVEN.refusal(Verb.MAIL)).isPresent();
    }

    @Test
    void dataNeedsARecipientCommand() {
        assertThat(SessionState.SENDER_GIVEN.refusal(Verb.DATA)).hasValueSatisfying(
                reply -> assertThat(reply.encode()).isEqualTo("503 5.5.1 Error: need RCPT command\r\n"));
        assertThat(SessionState.RECIPIENTS_GIVEN.refusal(Verb.DATA)).isEmpty();
    }

    @Test
    void noCommandOutsideCommandMode() {
        for (SessionState state : new SessionState[] {SessionState.RECEIVING_DATA, SessionState.COMMITTING,
                SessionState.CLOSING}) {
            for (Verb verb : Verb.values()) {
                assertThat(state.refusal(verb)).as("%s in %s", verb, state).isPresent();
            }
        }
    }

    @Test
    void sessionCommandsWorkAnywhereInCommandMode() {
        for (SessionState state : SessionState.values()) {
            if (state.inCommandMode()) {
                for (Verb verb : new Verb[] {Verb.NOOP, Verb.RSET, Verb.QUIT, Verb.HELO, Verb.EHLO, Verb.VRFY}) {
                    assertThat(state.refusal(verb)).as("%s in %s", verb, state).isEmpty();
                }
            }
        }
    }
}
