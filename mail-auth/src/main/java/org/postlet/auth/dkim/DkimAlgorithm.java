package org.postlet.auth.dkim;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Locale;

/** The signing algorithms Postlet signs and verifies with; rsa-sha1 is refused (RFC 8301). */
public enum DkimAlgorithm {
    /** RFC 6376 with the RSA key sizes of RFC 8301 (at least 1024 bits to verify, 2048 to sign). */
    RSA_SHA256("rsa-sha256", "rsa", "RSA"),
    /** RFC 8463: Ed25519 over the SHA-256 hash of the header data. */
    ED25519_SHA256("ed25519-sha256", "ed25519", "Ed25519");

    private final String tagValue;
    private final String keyType;
    private final String javaKeyAlgorithm;

    DkimAlgorithm(String tagValue, String keyType, String javaKeyAlgorithm) {
        this.tagValue = tagValue;
        this.keyType = keyType;
        this.javaKeyAlgorithm = javaKeyAlgorithm;
    }

    /** As written in {@code a=}. */
    public String tagValue() {
        return tagValue;
    }

    /** As written in the key record's {@code k=}. */
    public String keyType() {
        return keyType;
    }

    /** The JCA key algorithm name. */
    public String javaKeyAlgorithm() {
        return javaKeyAlgorithm;
    }

    /** The algorithm for an {@code a=} value; {@code null} when not supported. */
    static DkimAlgorithm of(String tag) {
        for (DkimAlgorithm a : values()) {
            if (a.tagValue.equals(tag.strip().toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        return null;
    }

    /** The algorithm that signs with this key. */
    public static DkimAlgorithm forKey(String javaKeyAlgorithm) {
        for (DkimAlgorithm a : values()) {
            if (a.javaKeyAlgorithm.equalsIgnoreCase(javaKeyAlgorithm) || "EdDSA".equalsIgnoreCase(javaKeyAlgorithm) && a == ED25519_SHA256) {
                return a;
            }
        }
        throw new IllegalArgumentException("a " + javaKeyAlgorithm + " key cannot sign DKIM; use an RSA or Ed25519 key");
    }

    byte[] sign(PrivateKey key, byte[] data) throws GeneralSecurityException {
        Signature s = signature();
        s.initSign(key);
        s.update(input(data));
        return s.sign();
    }

    boolean verify(PublicKey key, byte[] data, byte[] signature) throws GeneralSecurityException {
        Signature s = signature();
        s.initVerify(key);
        s.update(input(data));
        return s.verify(signature);
    }

    private Signature signature() throws GeneralSecurityException {
        return Signature.getInstance(this == RSA_SHA256 ? "SHA256withRSA" : "Ed25519");
    }

    private byte[] input(byte[] data) throws GeneralSecurityException {
        return this == RSA_SHA256 ? data : MessageDigest.getInstance("SHA-256").digest(data);
    }
}
