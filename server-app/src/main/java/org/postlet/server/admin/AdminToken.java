package org.postlet.server.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The bearer token of the admin API, read from the file {@code admin.token} names at every request,
 * so creating, changing or removing the file takes effect without a restart.
 */
public final class AdminToken {

    /** Shorter tokens can be guessed; the file is refused until it holds a longer one. */
    static final int MIN_LENGTH = 16;

    /** How to make a good token, for messages. */
    public static final String HOW_TO_CREATE = "head -c 32 /dev/urandom | base64 > FILE && chmod 600 FILE";

    /** Whether a request may use the API. */
    public enum Access { GRANTED, DENIED, OFF }

    /**
     * A request's verdict.
     *
     * @param access  granted, denied (no or a wrong token) or off (no usable token file)
     * @param problem why the API is off, for the client; empty otherwise
     */
    public record Verdict(Access access, String problem) {
    }

    private final Path file;

    public AdminToken(Path file) {
        this.file = file;
    }

    /** The token file. */
    public Path file() {
        return file;
    }

    /**
     * The token, if the file exists and holds one of at least {@link #MIN_LENGTH} characters
     * (surrounding white space, such as the final newline, is not part of it).
     *
     * @throws IOException if the file exists but cannot be read
     */
    public Optional<String> read() throws IOException {
        try {
            String token = Files.readString(file, StandardCharsets.UTF_8).strip();
            return token.length() >= MIN_LENGTH ? Optional.of(token) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * A warning when every user of the machine can read the token file; empty when only its owner
     * and group can, when there is no file, or on a file system without POSIX permissions.
     */
    public Optional<String> exposure() {
        try {
            if (Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_READ)) {
                return Optional.of("the admin token " + file + " can be read by every user of this machine, and with it"
                        + " anyone can delete queued mail — chmod 600 " + file);
            }
        } catch (NoSuchFileException | UnsupportedOperationException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot check who may read the admin token " + file + ": " + e.getMessage());
        }
        return Optional.empty();
    }

    /** Checks an {@code Authorization} header (null if the request had none). */
    public Verdict check(String authorization) {
        Optional<String> token;
        try {
            token = read();
        } catch (IOException e) {
            return new Verdict(Access.OFF, "the admin API is off: the token file (admin.token) cannot be read by the server: "
                    + e.getMessage());
        }
        if (token.isEmpty()) {
            return new Verdict(Access.OFF, "the admin API is off: the token file (admin.token in postlet.yaml, default"
                    + " conf/admin.token) is missing or holds fewer than " + MIN_LENGTH + " characters — create it: "
                    + HOW_TO_CREATE);
        }
        String prefix = "Bearer ";
        if (authorization == null || !authorization.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return new Verdict(Access.DENIED, "");
        }
        String given = authorization.substring(prefix.length()).strip();
        // Digests of equal length, compared in constant time: neither the content nor the length of
        // the token leaks through the time a wrong guess takes.
        boolean same = MessageDigest.isEqual(sha256(given), sha256(token.get()));
        return new Verdict(same ? Access.GRANTED : Access.DENIED, "");
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
