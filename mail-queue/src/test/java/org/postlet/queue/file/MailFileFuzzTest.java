package org.postlet.queue.file;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.InvalidAddressException;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.ProcessingState;
import org.postlet.queue.Lease;
import org.postlet.queue.MailEnvelope;
import org.postlet.queue.Origin;
import org.postlet.queue.QueueIds;

/**
 * Fuzzes what the file queue reads back (docs/fuzzing.md). Any mail file either reads as a
 * consistent mail or is refused with an {@link IOException} naming it; a queue opened over it (as a
 * file of the earlier spool layout) imports it or sets it aside, never fails. A file written reads
 * back exactly, and any damage to it (a changed byte, a truncation, an inserted or dropped byte)
 * breaks its seal. Any log segment recovers: what parses is queued and readable, the rest is cut off
 * or quarantined.
 */
class MailFileFuzzTest {

    @TempDir
    static Path dir;

    private static final FileMailQueue.Settings SETTINGS = new FileMailQueue.Settings(1 << 20, 1 << 20, 1 << 20, 0);

    @FuzzTest(maxDuration = "3m")
    void anyFileReadsOrIsRefused(byte[] bytes) throws Exception {
        Path file = dir.resolve("any");
        Files.write(file, bytes);
        MailFile.sealed(file);
        Optional<MailFile.Kept> read;
        try {
            MailFile.Kept kept = MailFile.read(file);
            assertThat(kept.messageOffset() + kept.messageSize() + MailFile.SEAL_LENGTH).isEqualTo(bytes.length);
            assertThat(kept.messageSize()).isNotNegative();
            assertThat(kept.envelope().recipients()).isNotEmpty();
            read = Optional.of(kept);
        } catch (IOException refused) {
            assertThat(refused.getMessage()).contains(file.toString());
            read = Optional.empty();
        }

        if (!MailFile.sealed(file)) {
            return; // a queue opening over it only deletes it; opening one per input would be the slowest part by far
        }
        Path queueDir = Files.createTempDirectory(dir, "queue");
        Files.createDirectories(queueDir.resolve("queue"));
        Files.write(queueDir.resolve("queue").resolve("0000000001-fuzz"), bytes);
        try (FileMailQueue queue = FileMailQueue.open(queueDir, new QueueIds(Clock.systemUTC()), Clock.systemUTC(), SETTINGS)) {
            Optional<Lease> lease = queue.take(Duration.ZERO);
            if (read.isPresent() && FileMailQueue.acceptableId(read.get().id())) {
                assertThat(lease).as("a sealed file that reads is imported").isPresent();
                assertThat(lease.get().id()).isEqualTo(read.get().id());
                assertThat(lease.get().content().size()).isEqualTo(read.get().messageSize());
            } else {
                assertThat(lease).isEmpty();
            }
        } finally {
            deleteTree(queueDir);
        }
    }

    @FuzzTest(maxDuration = "3m")
    void writtenFilesReadBackAndDamagedOnesAreNeverSealed(FuzzedDataProvider data) throws Exception {
        MailEnvelope envelope = envelope(data);
        ProcessingState state = state(utf8(data.consumeString(20)));
        Optional<String> error = data.consumeBoolean() ? Optional.of(utf8(data.consumeString(100))) : Optional.empty();
        Map<String, Serializable> attributes = new LinkedHashMap<>();
        for (int i = data.consumeInt(0, 3); i > 0; i--) {
            attributes.put(utf8(data.consumeString(30)).replace("=", "") + "name", utf8(data.consumeString(50)));
        }
        int damage = data.consumeInt(0, 3);
        int where = data.consumeInt(0, Integer.MAX_VALUE);
        byte change = (byte) data.consumeInt(1, 255);
        byte[] message = data.consumeRemainingAsBytes();
        if (new String(message, StandardCharsets.ISO_8859_1).contains("%%POSTLET-END")) {
            // A message that carries a seal for the bytes before it could survive a crash right
            // after that line: not what this test is about.
            return;
        }

        Path path = dir.resolve("written");
        MailFile.write(path, "fuzzid", envelope, state, error, attributes, out -> out.write(message));
        byte[] file = Files.readAllBytes(path);
        assertThat(MailFile.sealed(path)).isTrue();
        MailFile.Kept kept = MailFile.read(path);
        assertThat(kept.id()).isEqualTo("fuzzid");
        assertThat(kept.state()).isEqualTo(state);
        assertThat(kept.envelope()).isEqualTo(envelope);
        assertThat(kept.error()).isEqualTo(error);
        assertThat(kept.attributes()).isEqualTo(attributes);
        assertThat(kept.messageSize()).isEqualTo(message.length);
        try (InputStream in = MailFile.content(path, kept).open()) {
            assertThat(in.readAllBytes()).isEqualTo(message);
        }

        byte[] damaged = damage(file, damage, where, change);
        Files.write(path, damaged);
        assertThat(MailFile.sealed(path)).as("damage %d at %d", damage, where % file.length).isFalse();
    }

    @FuzzTest(maxDuration = "3m")
    void anyLogSegmentRecoversOrIsQuarantined(byte[] bytes) throws Exception {
        Path queueDir = Files.createTempDirectory(dir, "log");
        Files.createDirectories(queueDir.resolve("log"));
        Files.write(queueDir.resolve("log").resolve("0000000000000001.seg"), bytes);
        try (FileMailQueue queue = FileMailQueue.open(queueDir, new QueueIds(Clock.systemUTC()), Clock.systemUTC(), SETTINGS)) {
            queue.flush();
            Optional<Lease> lease;
            while ((lease = queue.take(Duration.ZERO)).isPresent()) {
                assertThat(lease.get().possibleRedelivery()).isTrue();
                try (InputStream in = lease.get().content().open()) {
                    assertThat(in.readAllBytes()).hasSize((int) lease.get().content().size());
                }
            }
            assertThat(queue.browse()).hasSize(queue.size().mails());
        } finally {
            deleteTree(queueDir);
        }
    }

    /** 0: a byte changed, 1: cut short, 2: a byte inserted, 3: a byte dropped. */
    private static byte[] damage(byte[] file, int kind, int where, byte change) {
        int at = where % file.length;
        return switch (kind) {
            case 0 -> {
                byte[] copy = file.clone();
                copy[at] ^= change;
                yield copy;
            }
            case 1 -> java.util.Arrays.copyOf(file, at);
            case 2 -> {
                byte[] copy = new byte[file.length + 1];
                System.arraycopy(file, 0, copy, 0, at);
                copy[at] = change;
                System.arraycopy(file, at, copy, at + 1, file.length - at);
                yield copy;
            }
            default -> {
                byte[] copy = new byte[file.length - 1];
                System.arraycopy(file, 0, copy, 0, at);
                System.arraycopy(file, at + 1, copy, at, file.length - at - 1);
                yield copy;
            }
        };
    }

    /** An envelope as the SMTP session or a mailet can make it: parsed addresses, ESMTP-shaped parameters. */
    private static MailEnvelope envelope(FuzzedDataProvider data) {
        Optional<MailAddress> sender = data.consumeBoolean() ? Optional.empty() : Optional.of(address(data));
        List<MailAddress> recipients = new ArrayList<>();
        Map<MailAddress, Map<String, String>> recipientParameters = new LinkedHashMap<>();
        for (int i = data.consumeInt(1, 3); i > 0; i--) {
            MailAddress r = address(data);
            recipients.add(r);
            if (data.consumeBoolean()) {
                recipientParameters.put(r, Map.of("NOTIFY", esmtpValue(data), "ORCPT", "rfc822;" + esmtpValue(data)));
            }
        }
        Map<String, String> mailParameters = new LinkedHashMap<>();
        for (String keyword : List.of("SIZE", "BODY", "SMTPUTF8", "ENVID")) {
            if (data.consumeBoolean()) {
                mailParameters.put(keyword, keyword.equals("SMTPUTF8") ? "" : esmtpValue(data));
            }
        }
        Origin origin = switch (data.consumeInt(0, 3)) {
            case 0 -> new Origin.SmtpSession(utf8(data.consumeString(100)), utf8(data.consumeString(40)), data.consumeInt(0, 65535),
                    data.consumeBoolean() ? Optional.of(utf8(data.consumeString(64))) : Optional.empty(),
                    data.consumeBoolean() ? Optional.of(utf8(data.consumeString(64))) : Optional.empty(), utf8(data.consumeString(20)));
            case 1 -> new Origin.Generated(utf8(data.consumeString(20)));
            case 2 -> new Origin.Requeued(utf8(data.consumeString(40)));
            default -> new Origin.Trace(utf8(data.consumeString(40)));
        };
        Instant receivedAt = Instant.ofEpochSecond(data.consumeLong(-1_000_000_000_000L, 1_000_000_000_000L),
                data.consumeInt(0, 999_999_999));
        return new MailEnvelope(sender, recipients, mailParameters, recipientParameters, origin, receivedAt);
    }

    private static MailAddress address(FuzzedDataProvider data) {
        try {
            return MailAddress.parse(utf8(data.consumeString(80)));
        } catch (InvalidAddressException e) {
            return new MailAddress("user", "example.test");
        }
    }

    /** RFC 5321 esmtp-value: no space, no '=', no control character (PathArgument enforces it). */
    private static String esmtpValue(FuzzedDataProvider data) {
        String value = utf8(data.consumeString(30)).replaceAll("[\\p{Cntrl}\\s=]", "");
        return value.isEmpty() ? "x" : value;
    }

    private static ProcessingState state(String name) {
        try {
            return new ProcessingState(name);
        } catch (IllegalArgumentException e) {
            return ProcessingState.ROOT;
        }
    }

    private static String utf8(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
