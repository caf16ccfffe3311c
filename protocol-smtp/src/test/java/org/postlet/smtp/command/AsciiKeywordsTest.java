package org.postlet.smtp.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.postlet.smtp.auth.SaslMechanism;

/**
 * Verbs, ESMTP keywords and values and SASL mechanism names compare case-insensitively in ASCII
 * only: Java's toUpperCase folds the dotless i and the long s into I and S, which made this server
 * obey commands that a filter in front of it reads as unknown. Found by review while writing
 * CommandFuzzTest, whose inputs now hold these cases.
 */
class AsciiKeywordsTest {

    @Test
    void aVerbWithANonAsciiLetterIsUnknown() {
        assertThat(Command.parse("ma\u0131l FROM:<a@example.test>")).isEmpty();
        assertThat(Command.parse("\u017ftarttls")).isEmpty();
        assertThat(Command.parse("mail FROM:<a@example.test>")).map(Command::verb).contains(Verb.MAIL);
    }

    @Test
    void everyVerbIsKnownInAnyAsciiCaseAndNothingCloseToOne() {
        for (Verb verb : Verb.values()) {
            String name = verb.name();
            assertThat(Verb.of(name)).contains(verb);
            assertThat(Verb.of(name.toLowerCase(java.util.Locale.ROOT))).contains(verb);
            assertThat(Verb.of(name.charAt(0) + name.substring(1).toLowerCase(java.util.Locale.ROOT))).contains(verb);
            assertThat(Verb.of(name + "X")).isEmpty();
            assertThat(Verb.of(name.substring(1))).isEmpty();
        }
        assertThat(Verb.of("")).isEmpty();
        assertThat(Verb.of("QU1T")).isEmpty();
        assertThat(Verb.of("D@TA")).isEmpty(); // '@' + 32 is '`': only a-z fold
    }

    @Test
    void anEsmtpKeywordWithANonAsciiLetterIsASyntaxError() {
        assertThatThrownBy(() -> PathArgument.parse("FROM:<a@example.test> \u017fIZE=10", PathArgument.Kind.SENDER))
                .isInstanceOfSatisfying(CommandException.class, e -> assertThat(e.reply().code()).isEqualTo(501));
    }

    @Test
    void anEsmtpValueWithANonAsciiLetterIsRefused() throws CommandException {
        assertThatThrownBy(() -> EsmtpParameters.checkMail(Map.of("BODY", "8b\u0131tm\u0131me"), 100))
                .isInstanceOfSatisfying(CommandException.class, e -> assertThat(e.reply().code()).isEqualTo(501));
        assertThatThrownBy(() -> EsmtpParameters.checkRcpt(Map.of("NOTIFY", "\u017fuccess")))
                .isInstanceOfSatisfying(CommandException.class, e -> assertThat(e.reply().code()).isEqualTo(501));
        assertThat(EsmtpParameters.checkMail(Map.of("BODY", "8bitmime"), 100)).containsEntry("BODY", "8BITMIME");
    }

    @Test
    void aMechanismNameWithANonAsciiLetterIsUnknown() {
        assertThat(SaslMechanism.of("pla\u0131n")).isEmpty();
        assertThat(SaslMechanism.of("login")).contains(SaslMechanism.LOGIN);
    }
}
