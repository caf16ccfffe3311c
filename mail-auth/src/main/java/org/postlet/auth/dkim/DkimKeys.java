package org.postlet.auth.dkim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/** DKIM keys: PEM files (PKCS#8, as OpenSSL 3 writes them), new key pairs and the DNS record of a public key. */
public final class DkimKeys {

    /** The DER prefix of an X.509 SubjectPublicKeyInfo for a raw 32-byte Ed25519 key. */
    private static final byte[] ED25519_SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private DkimKeys() {
    }

    /** A new key pair: RSA with 2048 bits, or Ed25519. */
    public static KeyPair generate(DkimAlgorithm algorithm) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm.javaKeyAlgorithm());
            if (algorithm == DkimAlgorithm.RSA_SHA256) {
                g.initialize(2048);
            }
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java cannot make " + algorithm.javaKeyAlgorithm() + " keys", e);
        }
    }

    /** Writes the private key as PEM, readable by its owner only (mode 0600 where POSIX permissions exist). */
    public static void writePrivateKey(PrivateKey key, Path file) throws IOException {
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp); // not a POSIX file system: its own access rules apply
        }
        Files.writeString(tmp, pem, StandardCharsets.US_ASCII);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Reads a PEM private key (PKCS#8 {@code PRIVATE KEY}, RSA or Ed25519).
     *
     * @throws InvalidDkimKeyException saying what is wrong with the file
     */
    public static PrivateKey readPrivateKey(Path file) throws IOException, InvalidDkimKeyException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = text.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new InvalidDkimKeyException(file + " holds no PKCS#8 key (-----BEGIN PRIVATE KEY-----); make one with"
                    + " bin/postlet dkim keygen, or convert with openssl pkcs8 -topk8 -nocrypt");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(begin + 27, end));
        } catch (IllegalArgumentException e) {
            throw new InvalidDkimKeyException(file + " is not valid PEM: " + e.getMessage());
        }
        for (String algorithm : new String[] {"RSA", "Ed25519"}) {
            try {
                PrivateKey key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                if (key instanceof java.security.interfaces.RSAPrivateKey rsa && rsa.getModulus().bitLength() < 1024) {
                    throw new InvalidDkimKeyException(file + " holds an RSA key of " + rsa.getModulus().bitLength()
                            + " bits, which receivers refuse; make a 2048-bit key with bin/postlet dkim keygen");
                }
                return key;
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new InvalidDkimKeyException(file + " holds neither an RSA nor an Ed25519 private key");
    }

    /** The value of the {@code p=} tag for a public key: SubjectPublicKeyInfo for RSA, the raw key for Ed25519. */
    public static String publicKeyTag(PublicKey key) {
        byte[] encoded = key.getEncoded();
        if (key instanceof RSAPublicKey) {
            return Base64.getEncoder().encodeToString(encoded);
        }
        return Base64.getEncoder().encodeToString(Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length));
    }

    /** The record to publish, e.g. {@code s._domainkey.example.test. IN TXT "v=DKIM1; k=rsa; p=…"}. */
    public static String txtRecord(String domain, String selector, PublicKey key) {
        String k = key instanceof RSAPublicKey ? "rsa" : "ed25519";
        return selector + "._domainkey." + domain + ". IN TXT \"v=DKIM1; k=" + k + "; p=" + publicKeyTag(key) + "\"";
    }

    /** The public key of a {@code p=} value for key type {@code k}. */
    static PublicKey publicKey(DkimAlgorithm algorithm, String p) throws GeneralSecurityException {
        byte[] bytes = Base64.getDecoder().decode(p);
        if (algorithm == DkimAlgorithm.ED25519_SHA256) {
            if (bytes.length != 32) {
                throw new GeneralSecurityException("an Ed25519 key has 32 bytes, this one " + bytes.length);
            }
            byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + 32);
            System.arraycopy(bytes, 0, spki, ED25519_SPKI_PREFIX.length, 32);
            bytes = spki;
        }
        return KeyFactory.getInstance(algorithm.javaKeyAlgorithm()).generatePublic(new X509EncodedKeySpec(bytes));
    }

    /** A key file that cannot be used for DKIM. */
    public static final class InvalidDkimKeyException extends Exception {
        public InvalidDkimKeyException(String message) {
            super(message);
        }
    }
}
