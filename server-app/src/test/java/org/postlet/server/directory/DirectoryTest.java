package org.postlet.server.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.MailAddress;
import org.postlet.server.config.ConfigProblem;
import org.postlet.server.config.InvalidConfigException;

class DirectoryTest {

    @TempDir
    Path dir;

    @Test
    void usersAliasesAndQuotasComeFromTheirFiles() throws Exception {
        Path passwd = Files.writeString(dir.resolve("users.passwd"), """
                # comment
                alice@example.test:{SHA512-CRYPT}$6$x$y::::::userdb_quota_rule=*:storage=10M
                Bob@Example.test:{PLAIN}b
                """);
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
}
