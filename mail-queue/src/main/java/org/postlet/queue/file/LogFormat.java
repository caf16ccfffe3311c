package org.postlet.queue.file;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.postlet.mailet.MailAddress;
import org.postlet.queue.Deferral;

/**
 * The records of the queue's log and how they are framed. A frame is a 13-byte header (magic
 * {@code PoQ1}, a type byte, the payload length, and the CRC32C of type, length and payload) and the
 * payload. The magic and CRC let recovery tell a torn tail (a frame cut short by a crash) and a
 * damaged frame from a record, and find the next record after a damaged one.
 *
 * <p>Payloads: strings are a length and UTF-8; {@link Mail} is the id, flags (held, deferred,
 * spilled), the deferral and when it was made, the recipients still to do, the envelope records of {@link MailFile},
 * and the message: its length and bytes, or for a spilled message the spill file's name and length.
 */
final class LogFormat {

    static final int MAGIC = 0x506F5131; // "PoQ1"
    static final int FRAME_HEADER = 13;
    /** Bigger than any record the queue writes (inline messages are at most the spill threshold); a longer length is damage. */
    static final int MAX_PAYLOAD = 64 * 1024 * 1024;

    static final byte MAIL = 1;
    static final byte DONE = 2;
    static final byte DEFER = 3;
    static final byte HOLD = 4;
    static final byte UNHOLD = 5;

    private static final int HELD = 1;
    private static final int DEFERRED = 2;
    private static final int SPILLED = 4;

    private LogFormat() {
    }

    /** A record as read back. */
    sealed interface Record {
        String id();
    }

    /**
     * A whole mail.
     *
     * @param records         the envelope records ({@link MailFile#header})
     * @param messagePosition where the inline message starts, relative to the payload; -1 if spilled
     * @param spillFile       the spill file's name, if the message is in one
     */
    record Mail(String id, boolean held, Optional<Deferral> deferral, Instant deferredAt, List<MailAddress> remaining,
                byte[] records, long messagePosition, long messageSize, Optional<String> spillFile) implements Record {
    }

    record Done(String id) implements Record {
    }

    /** {@code deferredAt}: when the deferral was made, so that a clock set back since cannot stretch its delay. */
    record Defer(String id, List<MailAddress> remaining, Deferral deferral, Instant deferredAt) implements Record {
    }

    record Hold(String id) implements Record {
    }

    record Unhold(String id) implements Record {
    }

    /**
     * A frame ready to write.
     *
     * @param parts           its bytes, in order (the message is not copied)
     * @param length          their total
     * @param messagePosition where the inline message starts, relative to the frame; -1 if none
     */
    record Frame(ByteBuffer[] parts, long length, long messagePosition) {
    }

    /** A MAIL frame with the message inline: {@code message[0, length)}. */
    static Frame mail(String id, boolean held, Optional<Deferral> deferral, Instant deferredAt, List<MailAddress> remaining,
                      byte[] records, byte[] message, int length) {
        byte[] meta = mailMeta(id, held, deferral, deferredAt, remaining, records, Optional.empty(), length);
        return frame(MAIL, ByteBuffer.wrap(meta), ByteBuffer.wrap(message, 0, length), FRAME_HEADER + meta.length);
    }

    /** A MAIL frame whose message is in the spill file {@code spillFile}. */
    static Frame mailSpilled(String id, boolean held, Optional<Deferral> deferral, Instant deferredAt, List<MailAddress> remaining,
                             byte[] records, String spillFile, long size) {
        byte[] meta = mailMeta(id, held, deferral, deferredAt, remaining, records, Optional.of(spillFile), size);
        return frame(MAIL, ByteBuffer.wrap(meta), ByteBuffer.allocate(0), -1);
    }

    static Frame done(String id) {
        return small(DONE, out -> writeString(out, id));
    }

    static Frame defer(String id, List<MailAddress> remaining, Deferral deferral, Instant deferredAt) {
        return small(DEFER, out -> {
            writeString(out, id);
            writeRecipients(out, remaining);
            writeDeferral(out, deferral);
            writeInstant(out, deferredAt);
        });
    }

    static Frame hold(String id, boolean held) {
        return small(held ? HOLD : UNHOLD, out -> writeString(out, id));
    }

    /**
     * Reads a payload whose frame checked out.
     *
     * @throws IOException if it does not parse: written by something else, or damaged in a way the CRC missed
     */
    static Record decode(byte type, ByteBuffer payload) throws IOException {
        try {
            return switch (type) {
                case MAIL -> {
                    String id = readString(payload);
                    int flags = payload.get();
                    Optional<Deferral> deferral = (flags & DEFERRED) != 0 ? Optional.of(readDeferral(payload)) : Optional.empty();
                    Instant deferredAt = deferral.isPresent() ? readInstant(payload) : Instant.EPOCH;
                    List<MailAddress> remaining = readRecipients(payload);
                    byte[] records = readBytes(payload);
                    if ((flags & SPILLED) != 0) {
                        String file = readString(payload);
                        long size = payload.getLong();
                        yield new Mail(id, (flags & HELD) != 0, deferral, deferredAt, remaining, records, -1, size, Optional.of(file));
                    }
                    long size = payload.getLong();
                    if (size != payload.remaining()) {
                        throw new IOException("message length " + size + " does not match the record (" + payload.remaining() + ")");
                    }
                    yield new Mail(id, (flags & HELD) != 0, deferral, deferredAt, remaining, records, payload.position(), size,
                            Optional.empty());
                }
                case DONE -> new Done(readString(payload));
                case DEFER -> new Defer(readString(payload), readRecipients(payload), readDeferral(payload), readInstant(payload));
                case HOLD -> new Hold(readString(payload));
                case UNHOLD -> new Unhold(readString(payload));
                default -> throw new IOException("unknown record type " + type);
            };
        } catch (BufferUnderflowException | IllegalArgumentException | java.time.DateTimeException e) {
            throw new IOException("malformed record of type " + type + ": " + e, e);
        }
    }

    /** The CRC a frame header carries for this type and payload. */
    static int crc(byte type, int length, ByteBuffer... payload) {
        CRC32C crc = new CRC32C();
        ByteBuffer head = ByteBuffer.allocate(5).put(type).putInt(length).flip();
        crc.update(head);
        for (ByteBuffer p : payload) {
            crc.update(p.duplicate());
        }
        return (int) crc.getValue();
    }

    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private static Frame small(byte type, Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            body.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return frame(type, ByteBuffer.wrap(bytes.toByteArray()), ByteBuffer.allocate(0), -1);
    }

    private static Frame frame(byte type, ByteBuffer meta, ByteBuffer message, long messagePosition) {
        int length = meta.remaining() + message.remaining();
        ByteBuffer header = ByteBuffer.allocate(FRAME_HEADER).putInt(MAGIC).put(type).putInt(length)
                .putInt(crc(type, length, meta, message)).flip();
        return new Frame(new ByteBuffer[] {header, meta, message}, FRAME_HEADER + (long) length, messagePosition);
    }

    private static byte[] mailMeta(String id, boolean held, Optional<Deferral> deferral, Instant deferredAt,
                                   List<MailAddress> remaining, byte[] records, Optional<String> spillFile, long size) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(records.length + 128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeString(out, id);
            out.writeByte((held ? HELD : 0) | (deferral.isPresent() ? DEFERRED : 0) | (spillFile.isPresent() ? SPILLED : 0));
            if (deferral.isPresent()) {
                writeDeferral(out, deferral.get());
                writeInstant(out, deferredAt);
            }
            writeRecipients(out, remaining);
            out.writeInt(records.length);
            out.write(records);
            if (spillFile.isPresent()) {
                writeString(out, spillFile.get());
            }
            out.writeLong(size);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    private static void writeString(DataOutputStream out, String value) throws IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static void writeRecipients(DataOutputStream out, List<MailAddress> recipients) throws IOException {
        out.writeInt(recipients.size());
        for (MailAddress r : recipients) {
            writeString(out, r.toString());
        }
    }

    private static void writeDeferral(DataOutputStream out, Deferral d) throws IOException {
        out.writeInt(d.attempts());
        out.writeLong(d.firstFailure().getEpochSecond());
        out.writeInt(d.firstFailure().getNano());
        out.writeLong(d.nextAttempt().getEpochSecond());
        out.writeInt(d.nextAttempt().getNano());
        writeString(out, d.reason());
    }

    private static void writeInstant(DataOutputStream out, Instant instant) throws IOException {
        out.writeLong(instant.getEpochSecond());
        out.writeInt(instant.getNano());
    }

    private static Instant readInstant(ByteBuffer in) {
        return Instant.ofEpochSecond(in.getLong(), in.getInt());
    }

    private static byte[] readBytes(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("a length of " + length + " with " + in.remaining() + " bytes left");
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }

    private static String readString(ByteBuffer in) {
        return new String(readBytes(in), StandardCharsets.UTF_8);
    }

    private static List<MailAddress> readRecipients(ByteBuffer in) {
        int count = in.getInt();
        if (count < 0 || count > in.remaining() / 4) {
            throw new IllegalArgumentException("a count of " + count + " recipients");
        }
        List<MailAddress> recipients = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            recipients.add(MailAddress.parse(readString(in)));
        }
        return recipients;
    }

    private static Deferral readDeferral(ByteBuffer in) {
        int attempts = in.getInt();
        Instant first = Instant.ofEpochSecond(in.getLong(), in.getInt());
        Instant next = Instant.ofEpochSecond(in.getLong(), in.getInt());
        return new Deferral(attempts, first, next, readString(in));
    }
}
