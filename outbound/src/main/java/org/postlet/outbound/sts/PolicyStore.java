package org.postlet.outbound.sts;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The MTA-STS policies fetched, on disk, so a restart keeps applying them (a policy's whole point is
 * that an attacker who blocks the TXT record or the HTTPS fetch cannot turn it off). One file per
 * domain: {@code id: …} and {@code fetched: …} lines, an empty line, then the policy body as
 * fetched. Each is written to a temporary file, fsync'd and renamed over the old one, so a crash
 * leaves the old or the new policy, never a part.
 */
public final class PolicyStore {

    private final Path directory;

    /** @param directory where the files live ({@code mta-sts/} in the spool); created on first write */
    public PolicyStore(Path directory) {
        this.directory = directory;
    }

    /**
     * The policy stored for {@code domain}; empty when none is.
     *
     * @throws MalformedPolicyException when the file is damaged (it is then ignored and overwritten at the next fetch)
     */
    public Optional<KnownPolicy> load(String domain) throws IOException, MalformedPolicyException {
        String content;
        try {
            content = Files.readString(file(domain), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        int blank = content.indexOf("\n\n");
        if (!content.startsWith("id: ") || blank < 0) {
            throw new MalformedPolicyException("the cache file " + file(domain) + " is damaged");
        }
        String[] head = content.substring(0, blank).split("\n");
        if (head.length != 2 || !head[1].startsWith("fetched: ")) {
            throw new MalformedPolicyException("the cache file " + file(domain) + " is damaged");
        }
        Instant fetched;
        try {
            fetched = Instant.parse(head[1].substring("fetched: ".length()));
        } catch (DateTimeParseException e) {
            throw new MalformedPolicyException("the cache file " + file(domain) + " has a damaged date: " + e.getMessage());
        }
        String text = content.substring(blank + 2);
        return Optional.of(new KnownPolicy(domain, head[0].substring("id: ".length()), StsPolicy.parse(text), fetched, text));
    }

    /** Stores {@code policy} durably, replacing the one stored before. */
    public void save(KnownPolicy policy) throws IOException {
        Files.createDirectories(directory);
        Path file = file(policy.domain());
        Path temporary = Files.createTempFile(directory, ".new-", ".tmp");
        try {
            String content = "id: " + policy.id() + "\nfetched: " + policy.fetched() + "\n\n" + policy.text();
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename within " + directory + " atomically: " + e.getMessage(), e);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    /** The domain itself when it is a plain name, else its SHA-256, so no name can point outside the folder. */
    private Path file(String domain) {
        if (domain.matches("[a-z0-9_-]+(\\.[a-z0-9_-]+)*") && domain.length() <= 253) {
            return directory.resolve(domain);
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(domain.getBytes(StandardCharsets.UTF_8));
            return directory.resolve(HexFormat.of().formatHex(hash));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
