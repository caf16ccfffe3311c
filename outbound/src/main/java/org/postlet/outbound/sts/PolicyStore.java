package org.postlet.outbound.sts;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MTA-STS policies fetched, on disk, so a restart keeps applying them (a policy's whole point is
 * that an attacker who blocks the TXT record or the HTTPS fetch cannot turn it off). One file per
 * domain: {@code id: …} and {@code fetched: …} lines, an empty line, then the policy body as
 * fetched. Each is written to a temporary file, fsync'd and renamed over the old one, so a crash
 * leaves the old or the new policy, never a part.
 *
 * <p>A policy past its {@code max_age} no longer applies (RFC 8461 §5.1), so its file is deleted: when
 * it is loaded, and by a sweep of the folder that runs on the first use after start and then at most
 * once every {@link #SWEEP_EVERY}, so a server that once mailed many domains does not keep a file for
 * each forever. Files whose names could not be the store's, or that do not begin as the store writes
 * them, are never touched. Thread-safe.
 */
public final class PolicyStore {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyStore.class);
    /** How often the folder is swept for expired policies: the shortest refresh cycle, so no sooner is useful. */
    static final Duration SWEEP_EVERY = Duration.ofDays(1);
    /** Larger than any file the store writes (a policy body is fetched up to 64 KiB), so a larger one is not its. */
    private static final long LARGEST_FILE = 128 * 1024;
    /** The names {@link #file} gives plain domains (a SHA-256 in hex is one of them too). */
    private static final Pattern PLAIN_NAME = Pattern.compile("[a-z0-9_-]+(\\.[a-z0-9_-]+)*");

    private final Path directory;
    private final Clock clock;
    /** Per-file locks (striped), so a sweep never deletes a file that a save has just replaced with a fresh policy. */
    private final Object[] locks = new Object[64];
    private final SweepSchedule sweeps = new SweepSchedule(SWEEP_EVERY);

    /** @param directory where the files live ({@code mta-sts/} in the spool); created on first write */
    public PolicyStore(Path directory) {
        this(directory, Clock.systemUTC());
    }

    /**
     * @param directory where the files live ({@code mta-sts/} in the spool); created on first write
     * @param clock     what decides that a policy expired and that a sweep is due
     */
    public PolicyStore(Path directory, Clock clock) {
        this.directory = directory;
        this.clock = clock;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    /**
     * The policy stored for {@code domain}; empty when none is, or when it expired (its file is then deleted).
     *
     * @throws MalformedPolicyException when the file is damaged (it is then ignored and overwritten at the next fetch)
     */
    public Optional<KnownPolicy> load(String domain) throws IOException, MalformedPolicyException {
        sweepIfDue();
        Path file = file(domain);
        synchronized (lock(file)) {
            String content;
            try {
                content = Files.readString(file, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
            KnownPolicy policy = parse(domain, file, content);
            if (!policy.validAt(clock.instant())) {
                // RFC 8461 §5.1: it no longer applies, and a fetch starts afresh; keeping it only fills the disk.
                Files.deleteIfExists(file);
                return Optional.empty();
            }
            return Optional.of(policy);
        }
    }

    /** Stores {@code policy} durably, replacing the one stored before. */
    public void save(KnownPolicy policy) throws IOException {
        sweepIfDue();
        Files.createDirectories(directory);
        Path file = file(policy.domain());
        synchronized (lock(file)) {
            write(file, "id: " + policy.id() + "\nfetched: " + policy.fetched() + "\n\n" + policy.text());
        }
    }

    private void write(Path file, String content) throws IOException {
        Path temporary = Files.createTempFile(directory, ".new-", ".tmp");
        try {
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

    private static KnownPolicy parse(String domain, Path file, String content) throws MalformedPolicyException {
        int blank = content.indexOf("\n\n");
        if (!content.startsWith("id: ") || blank < 0) {
            throw new MalformedPolicyException("the cache file " + file + " is damaged");
        }
        String[] head = content.substring(0, blank).split("\n");
        if (head.length != 2 || !head[1].startsWith("fetched: ")) {
            throw new MalformedPolicyException("the cache file " + file + " is damaged");
        }
        Instant fetched;
        try {
            fetched = Instant.parse(head[1].substring("fetched: ".length()));
        } catch (DateTimeParseException e) {
            throw new MalformedPolicyException("the cache file " + file + " has a damaged date: " + e.getMessage());
        }
        String text = content.substring(blank + 2);
        return new KnownPolicy(domain, head[0].substring("id: ".length()), StsPolicy.parse(text), fetched, text);
    }

    /**
     * Sweeps the folder on the first use after start and then when the last sweep is {@link #SWEEP_EVERY}
     * old. It runs in the caller's thread (a delivery's), as there is no periodic task to hang it on;
     * one caller sweeps, the others go on at once. A failure is logged, never thrown: the caller
     * wanted a policy, not a sweep.
     */
    private void sweepIfDue() {
        Instant now = clock.instant();
        if (!sweeps.due(now)) {
            return;
        }
        try {
            int removed = sweep(now);
            if (removed > 0) {
                LOG.info("MTA-STS: deleted {} expired policies from {}", removed, directory);
            }
        } catch (IOException e) {
            LOG.warn("MTA-STS: cannot sweep {} for expired policies: {}", directory, e.getMessage());
        }
    }

    /** Deletes the expired policies in the folder, and damaged ones older than any policy may live; returns how many. */
    private int sweep(Instant now) throws IOException {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.length() > 253 || !PLAIN_NAME.matcher(name).matches()) {
                    continue; // not a name this store gives: someone else's file
                }
                try {
                    if (deleteIfDead(f, now)) {
                        removed++;
                    }
                } catch (IOException e) {
                    // One unreadable file must not stop the sweep; load reports it if the domain is mailed again.
                    LOG.debug("MTA-STS: sweep skipped {}: {}", f, e.getMessage());
                }
            }
        }
        return removed;
    }

    private boolean deleteIfDead(Path file, Instant now) throws IOException {
        synchronized (lock(file)) {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) > LARGEST_FILE) {
                return false;
            }
            String content;
            try {
                content = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                return false;
            }
            if (!content.startsWith("id: ")) {
                return false; // the store's files all begin so; this one may be someone else's
            }
            try {
                if (parse(file.getFileName().toString(), file, content).validAt(now)) {
                    return false;
                }
            } catch (MalformedPolicyException e) {
                // Damaged: its max_age is unknown, so only when no policy written then could still apply.
                if (!Files.getLastModifiedTime(file).toInstant().isBefore(now.minus(StsPolicy.MAX_AGE_LIMIT))) {
                    return false;
                }
            }
            return Files.deleteIfExists(file);
        }
    }

    private Object lock(Path file) {
        return locks[Math.floorMod(file.getFileName().toString().hashCode(), locks.length)];
    }

    /** The domain itself when it is a plain name, else its SHA-256, so no name can point outside the folder. */
    private Path file(String domain) {
        if (PLAIN_NAME.matcher(domain).matches() && domain.length() <= 253) {
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
