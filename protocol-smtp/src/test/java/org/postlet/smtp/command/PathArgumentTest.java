package org.postlet.smtp.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postlet.mailet.MailAddress;

class PathArgumentTest {

    @ParameterizedTest
    @ValueSource(strings = {"FROM:<a@b.test>", "FROM: <a@b.test>", "from:a@b.test", "FROM:  a@b.test"})
    void acceptsTheUsualForms(String argument) throws CommandException {
        assertThat(PathArgument.parse(argument, PathArgument.Kind.SENDER).address())
                .contains(new MailAddress("a", "b.test"));
    }

    @Test
    void nullSenderAndParameters() throws CommandException {
        PathArgument path = PathArgument.parse("FROM:<> size=10 SMTPUTF8", PathArgument.Kind.SENDER);
        assertThat(path.address()).isEmpty();
        assertThat(path.parameters()).containsExactly(Map.entry("SIZE", "10"), Map.entry("SMTPUTF8", ""));
    }

    @Test
    void parametersAreSplitOnRunsOfSpacesAndNoneGiveAnEmptyMap() throws CommandException {
        assertThat(PathArgument.parse("FROM:<a@b.test>   SIZE=10  BODY=8BITMIME ", PathArgument.Kind.SENDER).parameters())
                .containsExactly(Map.entry("SIZE", "10"), Map.entry("BODY", "8BITMIME"));
        assertThat(PathArgument.parse("FROM:<a@b.test>", PathArgument.Kind.SENDER).parameters()).isEmpty();
        assertThat(PathArgument.parse("TO:<a@b.test>   ", PathArgument.Kind.RECIPIENT).parameters()).isEmpty();
        assertThatThrownBy(() -> PathArgument.parse("FROM:<a@b.test> SIZE=1  size=2", PathArgument.Kind.SENDER))
                .isInstanceOf(CommandException.class).hasMessageContaining("Duplicate parameter: SIZE");
    }

    @Test
    void quotedLocalPartMayContainBracketsAndSpaces() throws CommandException {
        PathArgument path = PathArgument.parse("TO:<\"john >doe\"@b.test> NOTIFY=NEVER", PathArgument.Kind.RECIPIENT);
        assertThat(path.address()).contains(new MailAddress("john >doe", "b.test"));
        assertThat(path.parameters()).containsEntry("NOTIFY", "NEVER");
    }

    @Test
    void refusals() {
        assertThatThrownBy(() -> PathArgument.parse("TO:<>", PathArgument.Kind.RECIPIENT))
                .hasMessageStartingWith("501 5.1.3");
        assertThatThrownBy(() -> PathArgument.parse("FROM:<a@b.test", PathArgument.Kind.SENDER))
                .hasMessageStartingWith("501 5.1.7");
        assertThatThrownBy(() -> PathArgument.parse("FROM <a@b.test>", PathArgument.Kind.SENDER))
                .hasMessageStartingWith("501 5.5.4 Syntax: MAIL FROM:<address>");
        assertThatThrownBy(() -> PathArgument.parse("FROM:<a@b.test>X=1", PathArgument.Kind.SENDER))
                .hasMessageStartingWith("501 5.5.4");
        assertThatThrownBy(() -> PathArgument.parse("FROM:<a@b.test> SIZE=1 SIZE=2", PathArgument.Kind.SENDER))
                .hasMessageContaining("Duplicate");
        assertThatThrownBy(() -> PathArgument.parse("FROM:<a@b.test> =1", PathArgument.Kind.SENDER))
                .hasMessageStartingWith("501 5.5.4");
    }

    @Test
    void esmtpParameterChecks() throws CommandException {
        assertThat(EsmtpParameters.checkMail(Map.of("BODY", "7bit"), 100)).containsEntry("BODY", "7BIT");
        assertThatThrownBy(() -> EsmtpParameters.checkMail(Map.of("SIZE", "101"), 100))
                .hasMessage("552 5.3.4 Message size exceeds fixed maximum message size");
        assertThatThrownBy(() -> EsmtpParameters.checkMail(Map.of("SIZE", "99999999999999999999999"), 100))
                .hasMessageStartingWith("501 5.5.4");
        assertThatThrownBy(() -> EsmtpParameters.checkMail(Map.of("AUTH", "<>"), 100))
                .hasMessage("555 5.5.4 Unsupported option: AUTH");
        assertThatThrownBy(() -> EsmtpParameters.checkRcpt(Map.of("ORCPT", "nosemicolon")))
                .hasMessageStartingWith("501 5.5.4");
    }
}
