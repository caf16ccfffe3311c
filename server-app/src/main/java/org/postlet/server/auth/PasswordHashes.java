package org.postlet.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.commons.codec.digest.Crypt;
import org.bouncycastle.crypto.RuntimeCryptoException;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * Checks a password against a Dovecot password field such as {@code {SHA512-CRYPT}$6$salt$hash}
 * (Dovecot's password schemes). The crypt family is computed by commons-codec, bcrypt by
 * BouncyCastle; comparisons that happen here are constant-time.
 */
public final class PasswordHashes {

    /** The schemes understood, by their Dovecot names. */
    public enum Scheme {
        SHA512_CRYPT("SHA512-CRYPT"), SHA256_CRYPT("SHA256-CRYPT"), MD5_CRYPT("MD5-CRYPT"), BLF_CRYPT("BLF-CRYPT"),
        /** crypt(3) in any of its forms, chosen by the hash's prefix; Dovecot's default for passwd-files. */
        CRYPT("CRYPT"),
        /** The password itself (Dovecot also calls it CLEAR or CLEARTEXT). */
        PLAIN("PLAIN");

        private final String dovecotName;

        Scheme(String dovecotName) {
            this.dovecotName = dovecotName;
        }

        public String dovecotName() {
            return dovecotName;
        }

        /** The scheme of a Dovecot name, ignoring case. */
        public static Optional<Scheme> of(String name) {
            String upper = name.toUpperCase(Locale.ROOT);
            if (upper.equals("CLEAR") || upper.equals("CLEARTEXT")) {
                return Optional.of(PLAIN);
            }
            for (Scheme s : values()) {
                if (s.dovecotName.equals(upper)) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }
    }

    private PasswordHashes() {
    }

    /**
     * The scheme of a password field: the {@code {SCHEME}} prefix, or CRYPT when there is none
     * (as Dovecot's passwd-file assumes).
     *
     * @return empty for a scheme this server does not know
     */
    public static Optional<Scheme> schemeOf(String field) {
        if (field.startsWith("{")) {
            int end = field.indexOf('}');
            return end < 0 ? Optional.empty() : Scheme.of(field.substring(1, end));
        }
        return Optional.of(Scheme.CRYPT);
    }

    private static final String B64 = "[./0-9A-Za-z]";
    private static final Pattern SHA512 = Pattern.compile("\\$6\\$(rounds=\\d+\\$)?" + B64 + "{1,16}\\$" + B64 + "{86}");
    private static final Pattern SHA256 = Pattern.compile("\\$5\\$(rounds=\\d+\\$)?" + B64 + "{1,16}\\$" + B64 + "{43}");
    private static final Pattern MD5 = Pattern.compile("\\$1\\$" + B64 + "{0,8}\\$" + B64 + "{22}");
    private static final Pattern BCRYPT = Pattern.compile("\\$2[abxy]?\\$\\d\\d\\$" + B64 + "{53}");
    private static final Pattern DES = Pattern.compile(B64 + "{13}");

    /**
     * What is wrong with a password field that can never match, so {@code check} reports it rather
     * than every login failing: an unknown scheme, an empty password, or a hash that is not of its
     * scheme's form.
     *
     * @return empty when the field is well-formed
     */
    public static Optional<String> problem(String field) {
        Optional<Scheme> scheme = schemeOf(field);
        if (scheme.isEmpty()) {
            return Optional.of("a password in an unknown scheme " + field.substring(0, field.indexOf('}') + 1));
        }
        String hash = field.startsWith("{") ? field.substring(field.indexOf('}') + 1) : field;
        if (hash.isEmpty()) {
            return Optional.of("an empty password");
        }
        boolean wellFormed = switch (scheme.get()) {
            case PLAIN -> true;
            case SHA512_CRYPT -> SHA512.matcher(hash).matches();
            case SHA256_CRYPT -> SHA256.matcher(hash).matches();
            case MD5_CRYPT -> MD5.matcher(hash).matches();
            case BLF_CRYPT -> BCRYPT.matcher(hash).matches();
            case CRYPT -> SHA512.matcher(hash).matches() || SHA256.matcher(hash).matches() || MD5.matcher(hash).matches()
                    || BCRYPT.matcher(hash).matches() || DES.matcher(hash).matches();
        };
        return wellFormed ? Optional.empty()
                : Optional.of("a " + scheme.get().dovecotName() + " password that is not a " + scheme.get().dovecotName() + " hash");
    }

    /**
     * Whether {@code password} matches the password field. An unknown scheme, an empty field, an
     * empty password or a malformed hash never matches.
     */
    public static boolean matches(String field, String password) {
        Optional<Scheme> scheme = schemeOf(field);
        if (scheme.isEmpty() || field.isEmpty() || password.isEmpty()) {
            return false; // an empty password never authenticates, whatever the file says
        }
        String hash = field.startsWith("{") ? field.substring(field.indexOf('}') + 1) : field;
        if (hash.isEmpty()) {
            return false;
        }
        try {
            return switch (scheme.get()) {
                case PLAIN -> equal(hash, password);
                case BLF_CRYPT -> bcrypt(hash, password);
                case SHA512_CRYPT -> hash.startsWith("$6$") && crypt(hash, password);
                case SHA256_CRYPT -> hash.startsWith("$5$") && crypt(hash, password);
                case MD5_CRYPT -> hash.startsWith("$1$") && crypt(hash, password);
                case CRYPT -> hash.startsWith("$2") ? bcrypt(hash, password) : crypt(hash, password);
            };
        } catch (IllegalArgumentException | RuntimeCryptoException e) {
            // A malformed hash (bad salt, bad cost) matches nothing; Directory users see it in the log.
            return false;
        }
    }

    /**
     * Hashes a password for a passwd-file, with a fresh random salt: what {@code bin/postlet passwd}
     * prints, e.g. {@code {SHA512-CRYPT}$6$…}.
     *
     * @throws IllegalArgumentException for a scheme that is not meant for storing passwords
     */
    public static String hash(Scheme scheme, String password) {
        byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
        String hash = switch (scheme) {
            case SHA512_CRYPT -> org.apache.commons.codec.digest.Sha2Crypt.sha512Crypt(bytes);
            case SHA256_CRYPT -> org.apache.commons.codec.digest.Sha2Crypt.sha256Crypt(bytes);
            case BLF_CRYPT -> {
                byte[] salt = new byte[16];
                new SecureRandom().nextBytes(salt);
                yield OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, BCRYPT_COST);
            }
            default -> throw new IllegalArgumentException(scheme.dovecotName()
                    + " is not offered for new passwords; use SHA512-CRYPT or BLF-CRYPT");
        };
        return "{" + scheme.dovecotName() + "}" + hash;
    }

    /** Dovecot's default bcrypt cost; each step doubles the work of a guess. */
    private static final int BCRYPT_COST = 10;

    /** A bcrypt hash is $2a$, $2b$ or $2y$, a two-digit cost, '$' and 53 characters of salt and hash. */
    private static final int BCRYPT_LENGTH = 60;

    /**
     * BouncyCastle reads the cost before checking the length, so a truncated hash such as
     * {@code {BLF-CRYPT}} alone threw StringIndexOutOfBoundsException (found by
     * PasswordHashesFuzzTest); a hash of the wrong length never matches.
     */
    private static boolean bcrypt(String hash, String password) {
        return hash.length() == BCRYPT_LENGTH && OpenBSDBCrypt.checkPassword(hash, password.toCharArray());
    }

    /** crypt(3) with the stored hash as salt gives the stored hash again for the right password. */
    private static boolean crypt(String hash, String password) {
        return equal(hash, Crypt.crypt(password.getBytes(StandardCharsets.UTF_8), hash));
    }

    private static boolean equal(String expected, String actual) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), actual.getBytes(StandardCharsets.UTF_8));
    }
}
