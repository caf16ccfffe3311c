package org.postlet.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.postlet.mailet.MailAddress;
import java.util.Set;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import java.util.concurrent.TimeUnit;
import org.apache.commons.codec.digest.Md5Crypt;
import org.apache.commons.codec.digest.Sha2Crypt;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;
import org.postlet.server.directory.Directory;
import org.postlet.smtp.auth.Credentials;

class PasswdFileAuthenticatorTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String bcrypt(String password) {
        byte[] salt = new byte[16];
        new java.security.SecureRandom().nextBytes(salt);
        return OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, 5);
    }

    @Test
    void everySupportedSchemeMatchesTheRightPasswordOnly() {
        Map<String, String> fields = Map.of(
                "SHA512-CRYPT", "{SHA512-CRYPT}" + Sha2Crypt.sha512Crypt(utf8("s3cret")),
                "SHA256-CRYPT", "{SHA256-CRYPT}" + Sha2Crypt.sha256Crypt(utf8("s3cret")),
                "MD5-CRYPT", "{MD5-CRYPT}" + Md5Crypt.md5Crypt(utf8("s3cret")),
                "BLF-CRYPT", "{BLF-CRYPT}" + bcrypt("s3cret"),
                "PLAIN", "{PLAIN}s3cret",
                "CRYPT without prefix", Sha2Crypt.sha512Crypt(utf8("s3cret")),
                "bcrypt without prefix", bcrypt("s3cret"));
        fields.forEach((scheme, field) -> {
            assertThat(PasswordHashes.matches(field, "s3cret")).as(scheme).isTrue();
            assertThat(PasswordHashes.matches(field, "s3cret ")).as(scheme).isFalse();
            assertThat(PasswordHashes.matches(field, "")).as(scheme).isFalse();
        });
    }

    @Test
    void unknownSchemesAndBrokenHashesNeverMatch() {
        assertThat(PasswordHashes.matches("{ARGON2ID}$argon2id$v=19$xyz", "x")).isFalse();
        assertThat(PasswordHashes.schemeOf("{ARGON2ID}abc")).isEmpty();
        assertThat(PasswordHashes.matches("{SHA512-CRYPT}$6$", "")).isFalse();
        assertThat(PasswordHashes.matches("{BLF-CRYPT}$2y$99$garbage", "x")).isFalse();
        assertThat(PasswordHashes.matches("", "")).isFalse();
        // A SHA512-CRYPT label on an MD5 hash is not accepted as either.
        assertThat(PasswordHashes.matches("{SHA512-CRYPT}" + Md5Crypt.md5Crypt(utf8("x")), "x")).isFalse();
    }

    /** Found by PasswordHashesFuzzTest: BouncyCastle threw StringIndexOutOfBoundsException on these. */
    @Test
    void truncatedBcryptHashesNeverMatch() {
        assertThat(PasswordHashes.matches("{BLF-CRYPT}", "")).isFalse();
        assertThat(PasswordHashes.matches("{BLF-CRYPT}$2y$1", "x")).isFalse();
        assertThat(PasswordHashes.matches("$2y$1", "x")).isFalse();
    }

    @TempDir
    Path dir;

    @Test
    void authenticatesPasswdFileUsersOffTheCallingThread() throws Exception {
        Path passwd = dir.resolve("users.passwd");
        Files.writeString(passwd, "alice@example.test:{SHA512-CRYPT}" + Sha2Crypt.sha512Crypt(utf8("wonderland")) + "\n");
        Directory directory = Directory.load(List.of("example.test"), passwd, Optional.empty(), OptionalLong.empty());
        try (PasswdFileAuthenticator authenticator = new PasswdFileAuthenticator(directory)) {
            assertThat(result(authenticator, "alice@example.test", "wonderland")).contains("alice@example.test");
            assertThat(result(authenticator, "ALICE@example.test", "wonderland")).contains("alice@example.test");
            assertThat(result(authenticator, "alice@example.test", "looking-glass")).isEmpty();
            assertThat(result(authenticator, "nobody@example.test", "wonderland")).isEmpty();
            assertThat(result(authenticator, "not an address", "wonderland")).isEmpty();
            String thread = authenticator.authenticate(new Credentials("", "alice@example.test", "x"))
                    .thenApply(r -> Thread.currentThread().getName()).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(thread).startsWith("postlet-auth-");
        }
    }

    @Test
    void anEmptyPasswordNeverAuthenticatesEvenAgainstAnEmptyPlainEntry() throws Exception {
        Directory directory = new Directory(Set.of("example.test"), List.of(new Directory.User(
                MailAddress.parse("eve@example.test"), "{PLAIN}", List.of(), OptionalLong.empty())), Map.of(), OptionalLong.empty());
        try (PasswdFileAuthenticator authenticator = new PasswdFileAuthenticator(directory)) {
            assertThat(result(authenticator, "eve@example.test", "")).isEmpty();
        }
        assertThat(PasswordHashes.matches("{PLAIN}", "")).isFalse();
        assertThat(PasswordHashes.problem("{PLAIN}")).contains("an empty password");
    }

    private static Optional<String> result(PasswdFileAuthenticator authenticator, String user, String password)
            throws Exception {
        return authenticator.authenticate(new Credentials("", user, password)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
