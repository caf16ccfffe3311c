package org.postlet.queue.file;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.ProcessingState;
import org.postlet.queue.MailEnvelope;
import org.postlet.queue.MessageContent;
import org.postlet.queue.Origin;
import org.postlet.queue.durability.Fsync;

/**
 * One mail in a file of its own, as repositories ({@code ToRepository}, {@code var/error}) keep
 * mails and {@code bin/postlet requeue} hands them back: a version line, one {@code name: value}
 * record per line for the envelope, an empty line, the message bytes exactly as received, and a
 * seal: a last line {@code %%POSTLET-END <crc32c>} over everything before it. Text first, so an
 * operator can read a kept mail with {@code less}; values are percent-encoded where they could
 * break a line. The same envelope records are what the file queue's log keeps for each mail.
 *
 * <p>The version line is still {@code POSTLET-SPOOL 2}: this layout only adds records
 * ({@code origin} and its fields) that readers of the earlier one skip, and it reads files of the
 * earlier one, which have no {@code origin} record: listener {@code repository} is a
 * {@link Origin.Requeued requeued} mail, {@code internal} a {@link Origin.Generated generated} one
 * (its cause unknown, so its own id), any other an {@link Origin.SmtpSession SMTP session}.
 */
public final class MailFile {

    static final String MAGIC = "POSTLET-SPOOL 2";
    private static final int MAX_HEADER = 1 << 20;
    private static final String SEAL_PREFIX = "\n%%POSTLET-END ";
    /** The seal's length: prefix, 8 hex digits, newline. */
    static final int SEAL_LENGTH = SEAL_PREFIX.length() + 9;
    /** The repository a requeued mail of the earlier layout came from: that layout did not say. */
    static final String UNKNOWN_REPOSITORY = "unknown";

    /**
     * A mail read from its file.
     *
     * @param id            its queue id
     * @param envelope      its envelope
     * @param state         the processor it was in
     * @param error         why it was kept, if it was kept because of an error
     * @param attributes    its mail attributes
     * @param messageOffset where in the file the message starts
     * @param messageSize   the message's length in bytes
     */
    public record Kept(String id, MailEnvelope envelope, ProcessingState state, Optional<String> error,
                       Map<String, Serializable> attributes, long messageOffset, long messageSize) {
        public Kept {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(envelope, "envelope");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(error, "error");
            attributes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        }
    }

    /** Writes the message bytes of a mail being kept. */
    @FunctionalInterface
    public interface MessageWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * The envelope records of a mail, without the message: what a log record keeps too, and what
     * the RabbitMQ queue sends ahead of the message.
     */
    public record Records(String id, MailEnvelope envelope, ProcessingState state, Optional<String> error,
                   Map<String, Serializable> attributes) {
    }

    private MailFile() {
    }

    /**
     * Writes a mail to {@code file}, durably: into a temporary file beside it, fsync'd, renamed, and
     * the directory fsync'd. The file is readable by its owner only.
     *
     * @throws IOException if it cannot be written (an attribute that cannot be serialised included);
     *                     nothing is left behind then
     */
    public static void write(Path file, String id, MailEnvelope envelope, ProcessingState state, Optional<String> error,
                             Map<String, Serializable> attributes, MessageWriter message) throws IOException {
        Path folder = file.toAbsolutePath().getParent();
        Path tmp = folder.resolve("." + file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE), OwnerOnly.file(folder))) {
            OutputStream buffered = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
            CheckedOutputStream out = new CheckedOutputStream(buffered, new CRC32C());
            out.write(header(id, envelope, state, error, attributes));
            message.writeTo(out);
            buffered.write(seal(out.getChecksum().getValue()));
            buffered.flush();
            channel.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        } catch (UncheckedIOException e) {
            Files.deleteIfExists(tmp);
            throw new IOException(e.getMessage(), e.getCause()); // an attribute that cannot be serialised: say which
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Fsync.directory(folder);
    }

    /**
     * Reads the envelope records of a mail file (not the message, nor its seal: see {@link #sealed}).
     *
     * @throws IOException if the file is unreadable or not a mail file; the message names the file
     */
    public static Kept read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file);
             InputStream in = new BufferedInputStream(Channels.newInputStream(channel), 4096)) {
            long size = channel.size();
            ByteArrayOutputStream header = new ByteArrayOutputStream(512);
            int prev = -1;
            int c;
            boolean magicChecked = false;
            while ((c = in.read()) != -1) {
                header.write(c);
                if (c == '\n' && prev == '\n') {
                    break;
                }
                // Check the first line as soon as it is complete, so a stray file is named as such.
                if (!magicChecked && (c == '\n' || header.size() > MAGIC.length() + 1)) {
                    if (!header.toString(StandardCharsets.UTF_8).equals(MAGIC + "\n")) {
                        throw new IOException(file + ": not a Postlet mail file (first line is not '" + MAGIC + "')");
                    }
                    magicChecked = true;
                }
                if (header.size() > MAX_HEADER) {
                    throw new IOException(file + ": envelope records longer than " + MAX_HEADER + " bytes");
                }
                prev = c;
            }
            if (c == -1) {
                throw new IOException(file + (magicChecked ? ": truncated mail file (no end of envelope)"
                        : ": not a Postlet mail file (first line is not '" + MAGIC + "')"));
            }
            Records records = parse(header.toByteArray(), file.toString());
            long offset = header.size();
            return new Kept(records.id(), records.envelope(), records.state(), records.error(), records.attributes(),
                    offset, messageSize(channel, file, size, offset));
        }
    }

    /** Whether the file ends with a seal that matches its content; reads the whole file. */
    public static boolean sealed(Path file) throws IOException {
        long size = Files.size(file);
        if (size < SEAL_LENGTH) {
            return false;
        }
        CRC32C crc = new CRC32C();
        byte[] buffer = new byte[64 * 1024];
        long contentLength = size - SEAL_LENGTH;
        try (InputStream in = Files.newInputStream(file)) {
            long left = contentLength;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    return false;
                }
                crc.update(buffer, 0, n);
                left -= n;
            }
            byte[] seal = in.readNBytes(SEAL_LENGTH);
            return Arrays.equals(seal, seal(crc.getValue()));
        }
    }

    /**
     * Whether the file ends with something shaped like a seal, matching or not: it was complete once,
     * so if {@link #sealed} says no, it was damaged afterwards (or its last blocks never reached the disk).
     */
    static boolean endsWithSealLine(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file)) {
            long size = channel.size();
            if (size < SEAL_LENGTH) {
                return false;
            }
            ByteBuffer tail = ByteBuffer.allocate(SEAL_LENGTH);
            while (tail.hasRemaining() && channel.read(tail, size - SEAL_LENGTH + tail.position()) > 0) {
                // positional reads until the tail is in
            }
            String text = new String(tail.array(), StandardCharsets.US_ASCII);
            return text.startsWith(SEAL_PREFIX) && text.endsWith("\n");
        }
    }

    /**
     * The message of a mail file, read from the file each time it is opened; its streams are
     * {@code jakarta.mail.internet.SharedInputStream}s, and closing the one {@code open()} returned
     * closes the file.
     */
    public static MessageContent content(Path file, Kept kept) {
        return Contents.file(file, kept.messageOffset(), kept.messageSize());
    }

    /** The seal for content with this CRC32C. */
    static byte[] seal(long crc32c) {
        return (SEAL_PREFIX + String.format("%08x", crc32c) + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The envelope records, the version line first and the empty line last; {@code error} records
     * why a mail was kept in a repository, and {@code attributes} are the mail's attributes,
     * Java-serialised.
     *
     * @throws UncheckedIOException if an attribute value cannot be serialised
     */
    public static byte[] header(String id, MailEnvelope e, ProcessingState state, Optional<String> error,
                         Map<String, Serializable> attributes) {
        StringBuilder b = new StringBuilder(256).append(MAGIC).append('\n');
        record(b, "id", id);
        record(b, "state", state.name());
        record(b, "sender", e.sender().map(MailAddress::toString).orElse(""));
        for (MailAddress r : e.recipients()) {
            record(b, "recipient", r.toString());
        }
        e.mailParameters().forEach((k, v) -> record(b, "parameter", k + "=" + v));
        e.recipientParameters().forEach((r, params) -> params.forEach((k, v) ->
                record(b, "recipient-parameter", r + " " + k + "=" + v)));
        Origin origin = e.origin();
        if (origin instanceof Origin.SmtpSession s) {
            record(b, "origin", "smtp");
            record(b, "helo", s.heloName());
            record(b, "client-address", s.clientAddress());
            record(b, "client-port", Integer.toString(s.clientPort()));
            s.authenticatedUser().ifPresent(u -> record(b, "auth", u));
            s.tls().ifPresent(t -> record(b, "tls", t));
            record(b, "listener", s.listener());
        } else if (origin instanceof Origin.Generated g) {
            record(b, "origin", "generated");
            record(b, "cause", g.cause());
            record(b, "listener", "internal"); // what readers of the earlier layout know it by
        } else if (origin instanceof Origin.Requeued r) {
            record(b, "origin", "requeued");
            record(b, "repository", r.repository());
            record(b, "listener", "repository");
        } else if (origin instanceof Origin.Trace t) {
            record(b, "origin", "trace");
            record(b, "file", t.file());
        }
        record(b, "received-at", e.receivedAt().toString());
        error.ifPresent(m -> record(b, "error", m));
        attributes.forEach((name, value) -> record(b, "attribute", name + "=" + serialise(name, value)));
        b.append('\n');
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parses envelope records as {@link #header} writes them (version line first).
     *
     * @param source names where they come from in error messages
     * @throws IOException if they are not envelope records; the message names {@code source}
     */
    public static Records parse(byte[] header, String source) throws IOException {
        String text = new String(header, StandardCharsets.UTF_8);
        if (!text.startsWith(MAGIC + "\n")) {
            throw new IOException(source + ": not a Postlet mail file (first line is not '" + MAGIC + "')");
        }
        try {
            Map<String, String> single = new LinkedHashMap<>();
            List<MailAddress> recipients = new ArrayList<>();
            Map<String, String> parameters = new LinkedHashMap<>();
            Map<MailAddress, Map<String, String>> recipientParameters = new LinkedHashMap<>();
            Map<String, Serializable> attributes = new LinkedHashMap<>();
            for (String line : text.substring(MAGIC.length() + 1).split("\n")) {
                if (line.isEmpty()) {
                    continue;
                }
                int colon = line.indexOf(": ");
                if (colon < 0) {
                    throw new IOException(source + ": malformed envelope record '" + line + "'");
                }
                String name = line.substring(0, colon);
                String value = URLDecoder.decode(line.substring(colon + 2), StandardCharsets.UTF_8);
                switch (name) {
                    case "recipient" -> recipients.add(MailAddress.parse(value));
                    case "parameter" -> {
                        int eq = separator(value.indexOf('='), source, line);
                        parameters.put(value.substring(0, eq), value.substring(eq + 1));
                    }
                    case "attribute" -> {
                        int eq = separator(value.indexOf('='), source, line);
                        try {
                            attributes.put(value.substring(0, eq), deserialise(value.substring(0, eq), value.substring(eq + 1)));
                        } catch (IOException e) {
                            throw new IOException(source + ": " + e.getMessage(), e);
                        }
                    }
                    case "recipient-parameter" -> {
                        int space = separator(value.lastIndexOf(' '), source, line);
                        int eq = separator(value.indexOf('=', space), source, line);
                        recipientParameters.computeIfAbsent(MailAddress.parse(value.substring(0, space)), k -> new LinkedHashMap<>())
                                .put(value.substring(space + 1, eq), value.substring(eq + 1));
                    }
                    default -> single.put(name, value);
                }
            }
            String id = single.get("id");
            if (id == null || id.isEmpty()) {
                throw new IOException(source + ": the envelope records have no id");
            }
            String sender = single.getOrDefault("sender", "");
            MailEnvelope envelope = new MailEnvelope(
                    sender.isEmpty() ? Optional.empty() : Optional.of(MailAddress.parse(sender)),
                    recipients, parameters, recipientParameters, origin(single, id, source),
                    Instant.parse(single.getOrDefault("received-at", Instant.EPOCH.toString())));
            return new Records(id, envelope, new ProcessingState(single.getOrDefault("state", "root")),
                    Optional.ofNullable(single.get("error")), attributes);
        } catch (IllegalArgumentException | DateTimeException e) {
            throw new IOException(source + ": malformed envelope record: " + e.getMessage(), e);
        }
    }

    private static Origin origin(Map<String, String> records, String id, String source) throws IOException {
        String listener = records.getOrDefault("listener", "");
        String origin = records.get("origin");
        if (origin == null) { // the earlier layout: the listener told
            origin = switch (listener) {
                case "repository" -> "requeued";
                case "internal" -> "generated";
                default -> "smtp";
            };
        }
        return switch (origin) {
            case "smtp" -> new Origin.SmtpSession(records.getOrDefault("helo", ""),
                    records.getOrDefault("client-address", "127.0.0.1"),
                    Integer.parseInt(records.getOrDefault("client-port", "0")),
                    Optional.ofNullable(records.get("auth")), Optional.ofNullable(records.get("tls")), listener);
            case "generated" -> new Origin.Generated(records.getOrDefault("cause", id));
            case "requeued" -> new Origin.Requeued(records.getOrDefault("repository", UNKNOWN_REPOSITORY));
            case "trace" -> new Origin.Trace(records.getOrDefault("file", ""));
            default -> throw new IOException(source + ": unknown origin '" + origin + "'");
        };
    }

    /** The message's length: what lies between the envelope records and the seal, which must be there. */
    private static long messageSize(FileChannel channel, Path file, long size, long offset) throws IOException {
        if (size - offset < SEAL_LENGTH) {
            throw new IOException(file + ": incomplete mail file (no seal at the end)");
        }
        ByteBuffer tail = ByteBuffer.allocate(SEAL_PREFIX.length());
        channel.read(tail, size - SEAL_LENGTH); // a positional read: the header stream is not disturbed
        if (!new String(tail.array(), StandardCharsets.US_ASCII).equals(SEAL_PREFIX)) {
            throw new IOException(file + ": incomplete mail file (no seal at the end)");
        }
        return size - offset - SEAL_LENGTH;
    }

    private static String serialise(String name, Serializable value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        } catch (IOException e) {
            throw new UncheckedIOException("mail attribute '" + name + "' cannot be serialised: " + e, e);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    /**
     * Attributes are any Serializable a mailet stores, custom classes included, so classes are not
     * listed; the shape is bounded instead, so a damaged or planted file (requeue reads those)
     * cannot make a reader build an object graph without end.
     */
    private static final ObjectInputFilter ATTRIBUTE_SHAPE =
            ObjectInputFilter.Config.createFilter("maxdepth=32;maxrefs=100000;maxarray=16777216;maxbytes=67108864");

    private static Serializable deserialise(String name, String base64) throws IOException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(base64)))) {
            in.setObjectInputFilter(ATTRIBUTE_SHAPE);
            return (Serializable) in.readObject();
        } catch (InvalidClassException e) {
            throw new IOException("mail attribute '" + name + "' is refused: its object graph is deeper or larger than"
                    + " an attribute may be (" + e.getMessage() + ")", e);
        } catch (ClassNotFoundException | ClassCastException | IllegalArgumentException e) {
            throw new IOException("mail attribute '" + name + "' cannot be read back: " + e, e);
        }
    }

    /** Where a record's value splits; a damaged record has no separator and is refused as such. */
    private static int separator(int index, String source, String line) throws IOException {
        if (index < 0) {
            throw new IOException(source + ": malformed envelope record '" + line + "'");
        }
        return index;
    }

    private static void record(StringBuilder b, String name, String value) {
        b.append(name).append(": ");
        encode(b, value);
        b.append('\n');
    }

    /**
     * Appends {@code value} exactly as {@code URLEncoder.encode(value, UTF_8)} writes it. ASCII,
     * nearly every value, is encoded here in one pass without the encoder's intermediate buffers
     * and strings (the envelope is built on the event loop for every message); anything else goes
     * to URLEncoder itself.
     */
    static void encode(StringBuilder b, String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) >= 0x80) {
                b.append(URLEncoder.encode(value, StandardCharsets.UTF_8));
                return;
            }
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '.' || c == '-' || c == '*' || c == '_') {
                b.append(c);
            } else if (c == ' ') {
                b.append('+');
            } else {
                b.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
}
