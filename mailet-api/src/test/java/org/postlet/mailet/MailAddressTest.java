package org.postlet.mailet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class MailAddressTest {

    @Test
    void parsesPathWithAndWithoutBrackets() {
        assertThat(MailAddress.parse("<alice@example.test>")).isEqualTo(new MailAddress("alice", "example.test"));
        assertThat(MailAddress.parse("alice@example.test")).isEqualTo(new MailAddress("alice", "example.test"));
        assertThat(MailAddress.parse(" <bob@Example.TEST> ").domain()).isEqualTo("example.test");
    }

    @Test
    void keepsLocalPartCase() {
        assertThat(MailAddress.parse("Alice@example.test").localPart()).isEqualTo("Alice");
    }

    @Test
    void quotedLocalPartIsUnquotedAndQuotedAgainOnOutput() {
        MailAddress a = MailAddress.parse("<\"john doe\"@example.test>");
        assertThat(a.localPart()).isEqualTo("john doe");
        assertThat(a.toString()).isEqualTo("\"john doe\"@example.test");
        assertThat(MailAddress.parse(a.toString())).isEqualTo(a);
    }

    @Test
    void ignoresSourceRoute() {
        assertThat(MailAddress.parse("<@relay.example:alice@example.test>")).isEqualTo(new MailAddress("alice", "example.test"));
    }

    @Test
    void acceptsUtf8AndAddressLiterals() {
        assertThat(MailAddress.parse("jörg@müller.example").domain()).isEqualTo("müller.example");
        assertThat(MailAddress.parse("root@[192.0.2.1]").domain()).isEqualTo("[192.0.2.1]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "<>", "alice", "alice@", "@example.test", "a..b@example.test", ".a@example.test",
            "a b@example.test", "alice@exa mple.test", "alice@-x.test", "<alice@example.test", "a\u0000b@example.test",
            "alice@example..test", "\"unterminated@example.test"})
    void rejectsMalformed(String text) {
        assertThatThrownBy(() -> MailAddress.parse(text)).isInstanceOf(InvalidAddressException.class);
    }

    @Test
    void rejectsControlCharactersEvenQuoted() {
        assertThatThrownBy(() -> MailAddress.parse("\"a\rb\"@example.test"))
                .isInstanceOf(InvalidAddressException.class).hasMessageContaining("control");
    }

    /** Found by MailAddressFuzzTest: C1 controls such as NEL (U+0085) went through when quoted. */
    @ParameterizedTest
    @ValueSource(strings = {"\"a\u0085b\"@example.test", "\"a\u009bb\"@example.test", "\"\u0080\"@example.test"})
    void rejectsC1ControlCharactersEvenQuoted(String text) {
        assertThatThrownBy(() -> MailAddress.parse(text))
                .isInstanceOf(InvalidAddressException.class).hasMessageContaining("control");
    }

    @Test
    void enforcesLengthLimits() {
        assertThatThrownBy(() -> new MailAddress("a".repeat(65), "example.test")).hasMessageContaining("64");
    }

    @Test
    void pathHasBrackets() {
        assertThat(new MailAddress("alice", "example.test").toPath()).isEqualTo("<alice@example.test>");
    }
}
