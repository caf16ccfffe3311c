package org.postlet.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin token: only the exact token opens the API; a missing or guessable file turns it off. */
class AdminTokenTest {

    @TempDir
    Path dir;

    @Test
    void onlyTheExactTokenIsGranted() throws Exception {
        Path file = Files.writeString(dir.resolve("admin.token"), "  s3cret-token-0123456789\n");
        AdminToken token = new AdminToken(file);
        assertThat(token.check("Bearer s3cret-token-0123456789").access()).isEqualTo(AdminToken.Access.GRANTED);
        assertThat(token.check("bearer s3cret-token-0123456789").access()).as("the scheme is case-insensitive")
                .isEqualTo(AdminToken.Access.GRANTED);
        assertThat(token.check("Bearer s3cret-token-012345678").access()).isEqualTo(AdminToken.Access.DENIED);
        assertThat(token.check("Bearer s3cret-token-01234567890").access()).isEqualTo(AdminToken.Access.DENIED);
        assertThat(token.check("Basic czNjcmV0").access()).isEqualTo(AdminToken.Access.DENIED);
        assertThat(token.check("Bearer ").access()).isEqualTo(AdminToken.Access.DENIED);
        assertThat(token.check(null).access()).isEqualTo(AdminToken.Access.DENIED);
    }

    @Test
    void noFileOrAShortTokenTurnsTheApiOffAndSaysHowToMakeOne() throws Exception {
        AdminToken token = new AdminToken(dir.resolve("admin.token"));
        AdminToken.Verdict missing = token.check("Bearer anything-at-all-here");
        assertThat(missing.access()).isEqualTo(AdminToken.Access.OFF);
        assertThat(missing.problem()).contains("head -c 32 /dev/urandom | base64");
        Files.writeString(dir.resolve("admin.token"), "short\n");
        assertThat(token.check("Bearer short").access()).isEqualTo(AdminToken.Access.OFF);
        Files.writeString(dir.resolve("admin.token"), "\n");
        assertThat(token.check("Bearer ").access()).as("an empty file is no token").isEqualTo(AdminToken.Access.OFF);
    }

    @Test
    void aTokenEveryUserCanReadIsWarnedAbout() throws Exception {
        Path file = Files.writeString(dir.resolve("admin.token"), "s3cret-token-0123456789\n");
        org.junit.jupiter.api.Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(new AdminToken(file).exposure()).hasValueSatisfying(w -> assertThat(w).contains("chmod 600 " + file));
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        assertThat(new AdminToken(file).exposure()).isEmpty();
        assertThat(new AdminToken(dir.resolve("none")).exposure()).isEmpty();
    }
}
