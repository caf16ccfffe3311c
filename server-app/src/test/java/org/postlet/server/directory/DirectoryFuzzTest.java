package org.postlet.server.directory;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.InvalidAddressException;
import org.postlet.mailet.MailAddress;
import org.postlet.server.auth.PasswdFileAuthenticator;
import org.postlet.server.config.InvalidConfigException;
import org.postlet.smtp.auth.Credentials;

/**
 * Fuzzes the passwd-file and aliases readers (docs/fuzzing.md): any pair of files gives a
 * directory or {@link InvalidConfigException} with problems on lines of those files; and every
 * address written in them can then be looked up, expanded and authenticated without an exception.
 */
class DirectoryFuzzTest {

    @TempDir
    static Path dir;

    @FuzzTest(maxDuration = "3m")
    void passwdAndAliasesFiles(FuzzedDataProvider data) throws Exception {
        byte[] passwdText = data.consumeBytes(data.consumeInt(0, 4000));
        String password = data.consumeString(50);
        byte[] aliasesText = data.consumeRemainingAsBytes();
        Path passwd = dir.resolve("users.passwd");
        Path aliases = dir.resolve("aliases");
        Files.write(passwd, passwdText);
        Files.write(aliases, aliasesText);

        Directory directory;
        try {
            directory = Directory.load(List.of("example.test"), passwd, Optional.of(aliases), OptionalLong.empty());
        } catch (InvalidConfigException e) {
            long passwdLines = new String(passwdText, StandardCharsets.UTF_8).lines().count();
            long aliasesLines = new String(aliasesText, StandardCharsets.UTF_8).lines().count();
            assertThat(e.problems()).isNotEmpty().allSatisfy(p -> {
                assertThat(p.file()).isIn(passwd, aliases);
                assertThat(p.line()).isBetween(0, (int) Math.max(passwdLines, aliasesLines));
                assertThat(p.problem()).isNotBlank();
            });
            return;
        }
        try (PasswdFileAuthenticator authenticator = new PasswdFileAuthenticator(directory)) {
            for (String text : (new String(passwdText, StandardCharsets.UTF_8) + "\n" + new String(aliasesText, StandardCharsets.UTF_8))
                    .split("[\\n:,]")) {
                MailAddress address;
                try {
                    address = MailAddress.parse(text);
                } catch (InvalidAddressException notAnAddress) {
                    continue;
                }
                directory.isLocalRecipient(address);
                directory.storageLimit(address);
                directory.mailboxesOf(address);
                if (directory.user(address).isPresent()) {
                    authenticator.authenticate(new Credentials("", text.strip(), password))
                            .toCompletableFuture().get(30, TimeUnit.SECONDS);
                }
            }
        }
    }
}
