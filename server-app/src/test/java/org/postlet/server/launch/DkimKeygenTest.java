package org.postlet.server.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.auth.dkim.DkimKeys;

/** {@code bin/postlet dkim keygen}: the key file, its mode, the record printed, and what it refuses. */
class DkimKeygenTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return new Launcher(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), dir)
                .execute(args);
    }

    @Test
    void writesTheKeyForTheOwnerOnlyAndPrintsItsRecord() throws Exception {
        Path conf = dir.resolve("conf");

        assertThat(run("dkim", "keygen", "--domain", "Example.test", "--selector", "s2026", "--conf", conf.toString()))
                .as(err.toString()).isZero();

        Path key = conf.resolve("dkim/example.test.s2026.pem");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        RSAPrivateCrtKey rsa = (RSAPrivateCrtKey) DkimKeys.readPrivateKey(key);
        assertThat(rsa.getModulus().bitLength()).isEqualTo(2048);
        String publicKey = DkimKeys.publicKeyTag(KeyFactory.getInstance("RSA")
                .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent())));
        assertThat(out.toString(StandardCharsets.UTF_8))
                .isEqualTo("s2026._domainkey.example.test. IN TXT \"v=DKIM1; k=rsa; p=" + publicKey + "\"\n");
    }

    @Test
    void neverReplacesAKeyAndRefusesWhatItCannotDo() throws Exception {
        Path conf = dir.resolve("conf");
        assertThat(run("dkim", "keygen", "--domain", "example.test", "--selector", "s1", "--type", "ed25519",
                "--conf", conf.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("s1._domainkey.example.test. IN TXT \"v=DKIM1; k=ed25519; p=");
        byte[] first = Files.readAllBytes(conf.resolve("dkim/example.test.s1.pem"));

        assertThat(run("dkim", "keygen", "--domain", "example.test", "--selector", "s1", "--conf", conf.toString()))
                .isEqualTo(Launcher.INVALID);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("exists already");
        assertThat(Files.readAllBytes(conf.resolve("dkim/example.test.s1.pem"))).isEqualTo(first);

        assertThat(run("dkim", "keygen", "--domain", "example.test")).isEqualTo(Launcher.USAGE);
        assertThat(run("dkim", "rotate", "--domain", "example.test", "--selector", "s")).isEqualTo(Launcher.USAGE);
        assertThat(run("dkim", "keygen", "--domain", "example.test", "--selector", "s", "--type", "dsa")).isEqualTo(Launcher.USAGE);
    }
}
