package org.postlet.smtp.inbound;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Completes submitted mail (RFC 6409 §8.2, §8.3): a message from an authenticated session that
 * has no {@code Date:} or no {@code Message-ID:} gets one, as Postfix's cleanup does. Mail from
 * unauthenticated clients (MX traffic) is stored exactly as received.
 *
 * <p>A decorator of the queue rather than part of the SMTP session: whether the headers are
 * missing is known only once the client has sent the whole header section, long after the session
 * wrote its {@code Received:} line, and fixing the message here, on its way into the spool, means
 * the stored message is final — every delivery attempt, split copy and {@code queue show} sees the
 * same Date and Message-ID. Only the header section is held in memory (at most
 * {@link #MAX_HEADER_BYTES}; a larger one is passed on unchanged), the body streams through.
 *
 * <p>The Date is when the message was received; the Message-ID is {@code <queue-id@hostname>},
 * unique because queue ids are.
 */
public final class SubmissionHeaders implements InboundQueue {

    /** Header sections above this are left alone rather than held in memory. */
    static final int MAX_HEADER_BYTES = 256 * 1024;

    private static final DateTimeFormatter RFC_5322_DATE =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH);

    private final InboundQueue queue;
    private final String hostname;
    private final ZoneId zone;

    /**
     * @param queue    where messages go
     * @param hostname the right-hand side of generated Message-IDs
     * @param zone     the time zone of generated Date headers
     */
    public SubmissionHeaders(InboundQueue queue, String hostname, ZoneId zone) {
        this.queue = queue;
        this.hostname = hostname;
        this.zone = zone;
    }

    @Override
    public IncomingMessage open(Envelope envelope) throws IOException {
        IncomingMessage message = queue.open(envelope);
        return envelope.authenticatedUser().isPresent() ? new Completing(message, envelope) : message;
    }

    @Override
    public boolean hasRoomFor(long declaredSize) {
        return queue.hasRoomFor(declaredSize);
    }

    /** Holds the header section until its end, then adds what is missing and streams the rest. */
    private final class Completing implements IncomingMessage {

        private final IncomingMessage target;
        private final Envelope envelope;
        /** The header section so far; null once it has been passed on. */
        private ByteArrayOutputStream header = new ByteArrayOutputStream(4096);
        /** The last bytes seen, to find the empty line that ends the header section. */
        private int previous = -1;
        private int beforePrevious = -1;

        Completing(IncomingMessage target, Envelope envelope) {
            this.target = target;
            this.envelope = envelope;
        }

        @Override
        public String id() {
            return target.id();
        }

        @Override
        public void write(ByteBuffer bytes) throws IOException {
            while (header != null && bytes.hasRemaining()) {
                int b = bytes.get() & 0xff;
                header.write(b);
                // An empty line: LF, optional CR, LF.
                boolean end = b == '\n' && (previous == '\n' || previous == '\r' && beforePrevious == '\n');
                beforePrevious = previous;
                previous = b;
                if (end) {
                    byte[] section = header.toByteArray();
                    int blankLine = section.length - (section[section.length - 2] == '\r' ? 2 : 1);
                    passOn(section, blankLine);
                } else if (header.size() > MAX_HEADER_BYTES) {
                    byte[] section = header.toByteArray();
                    header = null;
                    target.write(ByteBuffer.wrap(section));
                }
            }
            if (bytes.hasRemaining()) {
                target.write(bytes);
            }
        }

        @Override
        public CompletionStage<Void> commit() {
            if (header != null) {
                // The message is all header section (no body): complete it at its end.
                if (header.size() > 0 && previous != '\n') {
                    header.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                byte[] section = header.toByteArray();
                try {
                    passOn(section, section.length);
                } catch (IOException e) {
                    target.abort();
                    return CompletableFuture.failedFuture(e);
                }
            }
            return target.commit();
        }

        @Override
        public void abort() {
            target.abort();
        }

        /** Writes the header section with the missing fields inserted at {@code at}. */
        private void passOn(byte[] section, int at) throws IOException {
            header = null;
            String text = new String(section, 0, at, StandardCharsets.ISO_8859_1);
            StringBuilder missing = new StringBuilder();
            if (!hasField(text, "date")) {
                missing.append("Date: ").append(RFC_5322_DATE.format(envelope.receivedAt().atZone(zone))).append("\r\n");
            }
            if (!hasField(text, "message-id")) {
                missing.append("Message-ID: <").append(target.id()).append('@').append(hostname).append(">\r\n");
            }
            target.write(ByteBuffer.wrap(section, 0, at));
            target.write(ByteBuffer.wrap(missing.toString().getBytes(StandardCharsets.US_ASCII)));
            target.write(ByteBuffer.wrap(section, at, section.length - at));
        }
    }

    /** Whether a header field of that name (lower-case) starts a line of the header section. */
    static boolean hasField(String headerSection, String name) {
        for (String line : headerSection.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.charAt(0) != ' ' && line.charAt(0) != '\t'
                    && line.substring(0, colon).stripTrailing().equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }
}
