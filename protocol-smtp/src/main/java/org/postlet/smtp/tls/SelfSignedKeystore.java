package org.postlet.smtp.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes a self-signed server certificate (RSA 2048, SHA-256, CN and DNS SAN = the host name,
 * valid ten years) in a PKCS#12 keystore, so STARTTLS works before an operator installs a real
 * certificate. MTAs rarely verify certificates on port 25 (RFC 7435, opportunistic TLS), so
 * encryption is gained at once; submission clients will ask their users to trust it.
 */
public final class SelfSignedKeystore {

    /** The alias of the key entry in a generated keystore. */
    public static final String ALIAS = "postlet";

    private static final Duration VALIDITY = Duration.ofDays(3650);

    private SelfSignedKeystore() {
    }

    /** Generates a key pair and a self-signed certificate for {@code hostname}, in a new keystore. */
    public static KeyStore generate(String hostname, char[] password) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, hostname).build();
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(VALIDITY)), name, pair.getPublic());
        try {
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, hostname)));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
            KeyStore keystore = KeyStore.getInstance("PKCS12");
            keystore.load(null, null);
            keystore.setKeyEntry(ALIAS, pair.getPrivate(), password, new Certificate[] {certificate});
            return keystore;
        } catch (IOException | OperatorCreationException e) {
            throw new GeneralSecurityException("cannot build a self-signed certificate for " + hostname + ": " + e, e);
        }
    }

    /**
     * Returns {@code file} if it exists; otherwise generates a keystore for {@code hostname} and
     * writes it there (directories created, file readable by its owner only where the file system
     * knows POSIX permissions, written to a temporary file and moved into place so a crash never
     * leaves half a keystore).
     *
     * @return whether a new keystore was written
     * @throws IOException naming the file when it cannot be written
     */
    public static boolean createIfMissing(Path file, String hostname, char[] password)
            throws IOException, GeneralSecurityException {
        if (Files.exists(file)) {
            return false;
        }
        KeyStore keystore = generate(hostname, password);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, ".keystore", ".tmp");
        try {
            restrictToOwner(temp);
            try (OutputStream out = Files.newOutputStream(temp)) {
                keystore.store(out, password);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        return true;
    }

    private static void restrictToOwner(Path file) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
    }
}
