package org.postlet.outbound;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Which recipients of which message are done with: a remote server accepted the message for them,
 * or they failed and their sender was sent a notice. Kept on disk so that a retry or a run after a
 * crash never sends a recipient the same message (or its sender the same notice) twice. One file
 * per message key, one {@code fate recipient} line each, fsync'd (file and, when new, folder)
 * before {@link #record} returns. Files older than the retention are removed as new ones are written:
 * by then the message has long left the queue.
 */
public final class SentRecipients {

    private static final Duration SWEEP_EVERY = Duration.ofHours(1);

    private final Path directory;
    private final Duration retention;
    private final Clock clock;
    private volatile Instant lastSweep = Instant.EPOCH;

    /**
     * @param directory where the files live; created on first use
     * @param retention how long a file is kept: longer than any mail stays queued
     */
    public SentRecipients(Path directory, Duration retention, Clock clock) {
        this.directory = directory;
        this.retention = retention;
        this.clock = clock;
    }

    /** What was done for a recipient. */
    public enum Fate {
        /** A remote server accepted the message. */
        SENT,
        /** Delivery failed and the sender was notified (or the failure handed to another processor). */
        REPORTED,
        /** Still being tried; the sender was told of the delay. Not final: delivery goes on. */
        DELAYED;

        /** Whether the recipient is done with: never to be sent again. */
        public boolean finished() {
            return this != DELAYED;
        }
    }

    /** The recipients recorded for the message, with their fate; empty when none was. */
    public Map<String, Fate> done(String messageKey) throws IOException {
        Map<String, Fate> done = new HashMap<>();
        try {
            for (String line : Files.readAllLines(file(messageKey), StandardCharsets.UTF_8)) {
                int space = line.indexOf(' ');
                if (space > 0) {
                    Fate fate = Fate.valueOf(line.substring(0, space));
                    // A delay notice never undoes a final fate recorded for the same recipient.
                    done.merge(line.substring(space + 1), fate, (old, now) -> old.finished() ? old : now);
                }
            }
        } catch (NoSuchFileException e) {
            return Map.of();
        }
        return done;
    }

    /** Records what was done for recipients, durably, before returning. */
    public void record(String messageKey, Fate fate, Collection<String> recipients) throws IOException {
        if (recipients.isEmpty()) {
            return;
        }
        Files.createDirectories(directory);
        Path file = file(messageKey);
        boolean created = !Files.exists(file);
        StringBuilder lines = new StringBuilder();
        recipients.forEach(r -> lines.append(fate.name()).append(' ').append(r).append('\n'));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer bytes = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        }
        if (created) {
            try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
                dir.force(true);
            }
        }
        sweepNowAndThen();
    }

    private void sweepNowAndThen() throws IOException {
        Instant now = clock.instant();
        if (Duration.between(lastSweep, now).compareTo(SWEEP_EVERY) < 0) {
            return;
        }
        lastSweep = now;
        FileTime cutoff = FileTime.from(now.minus(retention));
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path f : files) {
                try {
                    if (Files.getLastModifiedTime(f).compareTo(cutoff) < 0) {
                        Files.deleteIfExists(f);
                    }
                } catch (NoSuchFileException gone) {
                    // Another worker swept it first.
                }
            }
        }
    }

    /** A file name from the key: the key itself when it is plain, else its SHA-256. */
    private Path file(String messageKey) {
        if (messageKey.matches("[A-Za-z0-9_-]{1,100}")) {
            return directory.resolve(messageKey);
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(messageKey.getBytes(StandardCharsets.UTF_8));
            return directory.resolve(HexFormat.of().formatHex(hash));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
