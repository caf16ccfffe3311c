package org.postlet.smtp.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.postlet.mailet.MailAddress;

/**
 * Fuzzes the parsing of a command line as the session does it: verb and argument, then for
 * {@code MAIL} and {@code RCPT} the path and its ESMTP parameters, then their check against the
 * offered extensions (docs/fuzzing.md). A line is refused only with a {@link CommandException}
 * and a reply of the documented codes; what is accepted is ASCII where SMTP says so and parses
 * to the same result when written back.
 */
class CommandFuzzTest {

    private static final long MAX_SIZE = 10_000_000;

    @FuzzTest(maxDuration = "3m")
    void commandLines(byte[] bytes) {
        String line = new String(bytes, StandardCharsets.UTF_8);
        Optional<Command> parsed = Command.parse(line);
        if (parsed.isEmpty()) {
            return;
        }
        Command command = parsed.get();
        String word = line.indexOf(' ') < 0 ? line : line.substring(0, line.indexOf(' '));
        assertThat(word).as("a verb is ASCII").matches("(?i)" + command.verb().name());
        assertThat(command.argument()).isEqualTo(command.argument().strip());
        for (PathArgument.Kind kind : PathArgument.Kind.values()) {
            path(command.argument(), kind);
        }
    }

    private static void path(String argument, PathArgument.Kind kind) {
        PathArgument path;
        try {
            path = PathArgument.parse(argument, kind);
        } catch (CommandException refused) {
            assertThat(refused.reply().code()).isEqualTo(501);
            return;
        }
        assertThat(kind == PathArgument.Kind.SENDER || path.address().isPresent()).as("a recipient has an address").isTrue();
        for (Map.Entry<String, String> p : path.parameters().entrySet()) {
            assertThat(p.getKey()).matches("[A-Z0-9][A-Z0-9-]*");
            assertThat(Pattern.compile(Pattern.quote(p.getKey()), Pattern.CASE_INSENSITIVE).matcher(argument).find())
                    .as("keyword %s is written in %s, in ASCII", p.getKey(), argument).isTrue();
        }
        StringBuilder written = new StringBuilder(kind == PathArgument.Kind.SENDER ? "FROM:" : "TO:")
                .append(path.address().map(MailAddress::toPath).orElse("<>"));
        path.parameters().forEach((k, v) -> written.append(' ').append(k).append(v.isEmpty() ? "" : "=" + v));
        try {
            assertThat(PathArgument.parse(written.toString(), kind)).as("re-parsing %s", written).isEqualTo(path);
        } catch (CommandException e) {
            throw new AssertionError("written back as " + written + ", refused: " + e.reply(), e);
        }
        try {
            Map<String, String> checked = kind == PathArgument.Kind.SENDER
                    ? EsmtpParameters.checkMail(path.parameters(), MAX_SIZE)
                    : EsmtpParameters.checkRcpt(path.parameters());
            assertThat(checked.keySet()).isEqualTo(path.parameters().keySet());
            if (checked.containsKey("BODY")) {
                assertThat(checked.get("BODY")).isIn("7BIT", "8BITMIME");
                assertThat(path.parameters().get("BODY")).as("a BODY value is ASCII").matches("(?i)7BIT|8BITMIME");
            }
            if (checked.containsKey("SIZE")) {
                assertThat(Long.parseLong(checked.get("SIZE"))).isBetween(0L, MAX_SIZE);
            }
        } catch (CommandException refused) {
            assertThat(refused.reply().code()).isIn(Set.of(501, 552, 555));
        }
    }
}
