package org.postlet.smtp.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsContextTest {

    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    Path dir;

    @Test
    void aGeneratedKeystoreIsWrittenOnceAndNamesTheHost() throws Exception {
        Path file = dir.resolve("tls/keystore.p12");
        assertThat(SelfSignedKeystore.createIfMissing(file, "mx.example.test", PASSWORD)).isTrue();
        byte[] first = Files.readAllBytes(file);
        assertThat(SelfSignedKeystore.createIfMissing(file, "mx.example.test", PASSWORD)).isFalse();
        assertThat(Files.readAllBytes(file)).isEqualTo(first);
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .isEqualTo("rw-------");
        }
        KeyStore keystore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            keystore.load(in, PASSWORD);
        }
        X509Certificate certificate = (X509Certificate) keystore.getCertificate(SelfSignedKeystore.ALIAS);
        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=mx.example.test");
        assertThat(certificate.getSubjectAlternativeNames()).contains(List.of(2, "mx.example.test"));
        certificate.checkValidity();
        assertThat(TlsContext.fromKeystore(file, PASSWORD).cipherSuites()).isNotEmpty();
    }

    @Test
    void aMissingKeystoreOrAWrongPasswordIsNamed() throws Exception {
        Path file = dir.resolve("keystore.p12");
        assertThatThrownBy(() -> TlsContext.fromKeystore(file, PASSWORD)).isInstanceOf(IOException.class)
                .hasMessage("keystore " + file + " does not exist");
        SelfSignedKeystore.createIfMissing(file, "mx.example.test", PASSWORD);
        assertThatThrownBy(() -> TlsContext.fromKeystore(file, "wrong".toCharArray())).isInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot open keystore " + file + " as PKCS#12: ");
        Files.writeString(file, "not a keystore");
        assertThatThrownBy(() -> TlsContext.fromKeystore(file, PASSWORD)).isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString());
    }
}
