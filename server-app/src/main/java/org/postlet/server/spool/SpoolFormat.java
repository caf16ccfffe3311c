package org.postlet.server.spool;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.ProcessingState;
import org.postlet.smtp.inbound.Envelope;

/**
 * The layout of a spool file: a version line, one {@code name: value} record per line for the
 * envelope, an empty line, the message bytes exactly as received, and a seal: a last line
 * {@code %%POSTLET-END <crc32c>} over everything before it. Text first, so an operator can read a
 * stuck message with {@code less}; values are percent-encoded where they could break a line.
 *
 * <p>The seal is what makes a file complete. A message is written in place and sealed when the
 * client has sent it all; a crash before the fsync leaves a file without a valid seal, which the
 * spool discards at start-up (its client never got a 250). This saves the rename, and the second
 * journal commit it costs, on every message.
 */
final class SpoolFormat {

    static final String MAGIC = "POSTLET-SPOOL 2";
    private static final int MAX_HEADER = 1 << 20;
    private static final String SEAL_PREFIX = "\n%%POSTLET-END ";
    /** The seal's length: prefix, 8 hex digits, newline. */
    static final int SEAL_LENGTH = SEAL_PREFIX.length() + 9;

    /** The seal for content with this CRC32C. */
    static byte[] seal(long crc32c) {
        return (SEAL_PREFIX + String.format("%08x", crc32c) + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Whether the file ends with a seal that matches its content; reads the whole file.
     */
    static boolean sealed(Path file) throws IOException {
        long size = Files.size(file);
        if (size < SEAL_LENGTH) {
            return false;
        }
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
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
            return java.util.Arrays.equals(seal, seal(crc.getValue()));
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

    private SpoolFormat() {
    }

    static byte[] header(String id, Envelope e, ProcessingState state) {
        return header(id, e, state, Optional.empty(), Map.of());
    }

    /**
     * The envelope records; {@code error} records why a mail was kept in a repository, and
     * {@code attributes} are the mail's attributes, Java-serialised.
     *
     * @throws UncheckedIOException if an attribute value cannot be serialised
     */
    static byte[] header(String id, Envelope e, ProcessingState state, Optional<String> error,
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
        record(b, "helo", e.heloName());
        record(b, "client-address", e.client().getAddress() == null ? e.client().getHostString() : e.client().getAddress().getHostAddress());
        record(b, "client-port", Integer.toString(e.client().getPort()));
        e.authenticatedUser().ifPresent(u -> record(b, "auth", u));
        e.tls().ifPresent(t -> record(b, "tls", t));
        record(b, "listener", e.listener());
        record(b, "received-at", e.receivedAt().toString());
        error.ifPresent(m -> record(b, "error", m));
        attributes.forEach((name, value) -> record(b, "attribute", name + "=" + serialise(name, value)));
        b.append('\n');
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The message's length: what lies between the envelope records and the seal, which must be there. */
    private static long messageSize(FileChannel channel, Path file, long size, long offset) throws IOException {
        if (size - offset < SEAL_LENGTH) {
            throw new IOException(file + ": incomplete spool file (no seal at the end)");
        }
        ByteBuffer tail = ByteBuffer.allocate(SEAL_PREFIX.length());
        channel.read(tail, size - SEAL_LENGTH); // a positional read: the header stream is not disturbed
        if (!new String(tail.array(), StandardCharsets.US_ASCII).equals(SEAL_PREFIX)) {
            throw new IOException(file + ": incomplete spool file (no seal at the end)");
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
        return java.util.Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    /**
     * Attributes are any Serializable a mailet stores, custom classes included, so classes are not
     * listed; the shape is bounded instead, so a damaged or planted spool or repository file
     * (requeue reads those) cannot make a reader build an object graph without end.
     */
    private static final ObjectInputFilter ATTRIBUTE_SHAPE =
            ObjectInputFilter.Config.createFilter("maxdepth=32;maxrefs=100000;maxarray=16777216;maxbytes=67108864");

    private static Serializable deserialise(String name, String base64) throws IOException {
        try (ObjectInputStream in = new ObjectInputStream(
                new ByteArrayInputStream(java.util.Base64.getDecoder().decode(base64)))) {
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
    private static int separator(int index, Path file, String line) throws IOException {
        if (index < 0) {
            throw new IOException(file + ": malformed envelope record '" + line + "'");
        }
        return index;
    }

    private static void record(StringBuilder b, String name, String value) {
        b.append(name).append(": ").append(URLEncoder.encode(value, StandardCharsets.UTF_8)).append('\n');
    }

    /**
     * Reads the envelope records of a spool file.
     *
     * @throws IOException if the file is unreadable or not a spool file; the message names the file
     */
    static SpoolEntry read(Path file) throws IOException {
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
                        throw new IOException(file + ": not a Postlet spool file (first line is not '" + MAGIC + "')");
                    }
                    magicChecked = true;
                }
                if (header.size() > MAX_HEADER) {
                    throw new IOException(file + ": envelope records longer than " + MAX_HEADER + " bytes");
                }
                prev = c;
            }
            if (c == -1) {
                throw new IOException(file + (magicChecked ? ": truncated spool file (no end of envelope)"
                        : ": not a Postlet spool file (first line is not '" + MAGIC + "')"));
            }
            long offset = header.size();
            // The first line was checked while reading: it is MAGIC.
            List<String> lines = new BufferedReader(new StringReader(header.toString(StandardCharsets.UTF_8)))
                    .lines().toList();
            Map<String, String> single = new LinkedHashMap<>();
            List<MailAddress> recipients = new ArrayList<>();
            Map<String, String> parameters = new LinkedHashMap<>();
            Map<MailAddress, Map<String, String>> recipientParameters = new LinkedHashMap<>();
            Map<String, Serializable> attributes = new LinkedHashMap<>();
            for (String line : lines.subList(1, lines.size())) {
                if (line.isEmpty()) {
                    continue;
                }
                int colon = line.indexOf(": ");
                if (colon < 0) {
                    throw new IOException(file + ": malformed envelope record '" + line + "'");
                }
                String name = line.substring(0, colon);
                String value = URLDecoder.decode(line.substring(colon + 2), StandardCharsets.UTF_8);
                switch (name) {
                    case "recipient" -> recipients.add(MailAddress.parse(value));
                    case "parameter" -> {
                        int eq = separator(value.indexOf('='), file, line);
                        parameters.put(value.substring(0, eq), value.substring(eq + 1));
                    }
                    case "attribute" -> {
                        int eq = separator(value.indexOf('='), file, line);
                        attributes.put(value.substring(0, eq), deserialise(value.substring(0, eq), value.substring(eq + 1)));
                    }
                    case "recipient-parameter" -> {
                        int space = separator(value.lastIndexOf(' '), file, line);
                        int eq = separator(value.indexOf('=', space), file, line);
                        recipientParameters.computeIfAbsent(MailAddress.parse(value.substring(0, space)), k -> new LinkedHashMap<>())
                                .put(value.substring(space + 1, eq), value.substring(eq + 1));
                    }
                    default -> single.put(name, value);
                }
            }
            String sender = single.getOrDefault("sender", "");
            Envelope envelope = new Envelope(
                    sender.isEmpty() ? Optional.empty() : Optional.of(MailAddress.parse(sender)),
                    recipients, parameters, recipientParameters, single.getOrDefault("helo", ""),
                    InetSocketAddress.createUnresolved(single.getOrDefault("client-address", "127.0.0.1"),
                            Integer.parseInt(single.getOrDefault("client-port", "0"))),
                    Optional.ofNullable(single.get("auth")), Optional.ofNullable(single.get("tls")),
                    single.getOrDefault("listener", ""),
                    Instant.parse(single.getOrDefault("received-at", Instant.EPOCH.toString())));
            return new SpoolEntry(single.get("id"), envelope, new ProcessingState(single.getOrDefault("state", "root")),
                    file, offset, messageSize(channel, file, size, offset), attributes);
        } catch (IllegalArgumentException | DateTimeException e) {
            throw new IOException(file + ": malformed envelope record: " + e.getMessage(), e);
        }
    }
}
