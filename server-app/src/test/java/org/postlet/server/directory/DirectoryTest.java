package org.postlet.server.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.MailAddress;
import org.postlet.server.auth.PasswordHashes;
import org.postlet.server.config.ConfigProblem;
import org.postlet.server.config.InvalidConfigException;

class DirectoryTest {

    @TempDir
    Path dir;

    @Test
    void usersAliasesAndQuotasComeFromTheirFiles() throws Exception {
        Path passwd = Files.writeString(dir.resolve("users.passwd"), """
                # comment
                alice@example.test:%s::::::userdb_quota_rule=*:storage=10M
                Bob@Example.test:{PLAIN}b
                """.formatted(PasswordHashes.hash(PasswordHashes.Scheme.SHA512_CRYPT, "a")));
        Path aliases = Files.writeString(dir.resolve("aliases"), "info@example.test: alice@example.test, bob@example.test\n");
        Directory d = Directory.load(List.of("example.test"), passwd, Optional.of(aliases), OptionalLong.empty());
        assertThat(d.isLocalRecipient(MailAddress.parse("BOB@example.test"))).isTrue();
        assertThat(d.isLocalRecipient(MailAddress.parse("info@example.test"))).isTrue();
        assertThat(d.isLocalRecipient(MailAddress.parse("carol@example.test"))).isFalse();
        assertThat(d.mailboxesOf(MailAddress.parse("info@example.test")))
                .containsExactly(MailAddress.parse("alice@example.test"), MailAddress.parse("bob@example.test"));
        assertThat(d.storageLimit(MailAddress.parse("alice@example.test"))).isEqualTo(OptionalLong.of(10L << 20));
        assertThat(d.storageLimit(MailAddress.parse("bob@example.test"))).isEmpty();
    }

    @Test
    void badLinesAreAllReportedWithTheirLines() throws Exception {
        Path passwd = Files.writeString(dir.resolve("users.passwd"), """
                alice@example.test:{ROT13}nyvpr
                bob:{PLAIN}b
                carol@example.test:{PLAIN}c::::::userdb_quota_rule=*:storage=lots
                """);
        assertThatThrownBy(() -> Directory.load(List.of("example.test"), passwd, Optional.empty(), OptionalLong.empty()))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.problems()).extracting(ConfigProblem::line).containsExactly(1, 2, 3);
                    assertThat(e.getMessage()).contains("unknown scheme {ROT13}").contains("'bob' has no domain")
                            .contains("not a size");
                });
    }

    @Test
    void theConfiguredQuotaAppliesToUsersWithoutTheirOwn() throws Exception {
        Path passwd = Files.writeString(dir.resolve("users.passwd"), """
                alice@example.test:{PLAIN}a::::::userdb_quota_rule=*:storage=10M
                bob@example.test:{PLAIN}b
                """);
        Directory d = Directory.load(List.of("example.test"), passwd, Optional.empty(), OptionalLong.of(1L << 30));
        assertThat(d.storageLimit(MailAddress.parse("alice@example.test"))).isEqualTo(OptionalLong.of(10L << 20));
        assertThat(d.storageLimit(MailAddress.parse("bob@example.test"))).isEqualTo(OptionalLong.of(1L << 30));
        assertThat(d.storageLimit(MailAddress.parse("nobody@example.test"))).isEmpty();
    }

    @Test
    void garbageHashesEmptyPasswordsForeignDomainsAndDuplicatesAreReported() throws Exception {
        Path passwd = Files.writeString(dir.resolve("users.passwd"), """
                alice@example.test:{SHA512-CRYPT}$6$x$y
                bob@example.test:{PLAIN}
                carol@elsewhere.example:{PLAIN}c
                dave@example.test:{PLAIN}first
                Dave@example.test:{PLAIN}second
                erin@example.test
                """);
        assertThatThrownBy(() -> Directory.load(List.of("example.test"), passwd, Optional.empty(), OptionalLong.empty()))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.problems()).extracting(ConfigProblem::line).containsExactly(1, 2, 3, 5);
                    assertThat(e.getMessage())
                            .contains(passwd + ":1: user 'alice@example.test' has a SHA512-CRYPT password that is not a SHA512-CRYPT hash"
                                    + " — make a hash with bin/postlet passwd")
                            .contains(passwd + ":2: user 'bob@example.test' has an empty password")
                            .contains(passwd + ":3: user 'carol@elsewhere.example' is not in a local domain [example.test]"
                                    + " — add elsewhere.example to domains")
                            .contains(passwd + ":5: user 'Dave@example.test' is listed twice (first on line 4); Dovecot uses the first");
                });
    }

    @Test
    void aByteThatIsNotUtf8IsReportedWithItsLine() throws Exception {
        Path passwd = Files.write(dir.resolve("users.passwd"),
                "alice@example.test:{PLAIN}a\nb\u00f6b@example.test:{PLAIN}b\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> Directory.load(List.of("example.test"), passwd, Optional.empty(), OptionalLong.empty()))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining(passwd + ":2: not UTF-8");
    }

    @Test
    void theFirstOfTwoEntriesWinsAsInDovecot() throws Exception {
        Directory d = new Directory(Set.of("example.test"), List.of(
                new Directory.User(MailAddress.parse("dave@example.test"), "{PLAIN}first", List.of(), OptionalLong.empty()),
                new Directory.User(MailAddress.parse("dave@example.test"), "{PLAIN}second", List.of(), OptionalLong.empty())),
                Map.of(), OptionalLong.empty());
        assertThat(d.user(MailAddress.parse("dave@example.test"))).hasValueSatisfying(
                u -> assertThat(u.passwordHash()).isEqualTo("{PLAIN}first"));
    }

    /**
     * An alias that names itself several times made the expansion grow as k^depth (6 self
     * references: 13 s in mailboxesOf; found in the fuzzing review). Each alias is now expanded once,
     * and one that names itself keeps a local copy, as in Postfix.
     */
    @Test
    @org.junit.jupiter.api.Timeout(value = 5, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void anAliasThatNamesItselfExpandsOnceAndKeepsItsLocalCopy() throws Exception {
        Path passwd = Files.writeString(dir.resolve("users.passwd"), "alice@example.test:{PLAIN}a\nbob@example.test:{PLAIN}b\n");
        String self = String.join(", ", java.util.Collections.nCopies(12, "loop@example.test"));
        Path aliases = Files.writeString(dir.resolve("aliases"), """
                loop@example.test: %s, alice@example.test
                alice@example.test: alice@example.test, bob@example.test
                a@example.test: b@example.test, c@example.test
                b@example.test: bob@example.test
                c@example.test: a@example.test, bob@example.test
                """.formatted(self));
        Directory d = Directory.load(List.of("example.test"), passwd, Optional.of(aliases), OptionalLong.empty());
        assertThat(d.mailboxesOf(MailAddress.parse("loop@example.test")))
                .containsExactly(MailAddress.parse("alice@example.test"), MailAddress.parse("bob@example.test"));
        assertThat(d.mailboxesOf(MailAddress.parse("alice@example.test")))
                .containsExactly(MailAddress.parse("alice@example.test"), MailAddress.parse("bob@example.test"));
        assertThat(d.mailboxesOf(MailAddress.parse("a@example.test"))).containsExactly(MailAddress.parse("bob@example.test"));
    }
}
