package org.postlet.smtp.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postlet.mailet.MailAddress;

/** Date and Message-ID added to submitted mail, whatever the chunks the message arrives in. */
class SubmissionHeadersTest {

    private static final Instant RECEIVED = Instant.parse("2026-01-02T10:00:00Z");
    private static final String RECEIVED_LINE = "Received: from laptop ([127.0.0.1])\r\n\tby mx.example.test; Fri, 2 Jan 2026 10:00:00 +0000\r\n";

    /** A queue that keeps the bytes of the one message it is given. */
    private static final class Recording implements InboundQueue {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean committed;
        boolean aborted;

        @Override
        public IncomingMessage open(Envelope envelope) {
            return new IncomingMessage() {
                @Override
                public String id() {
                    return "01ABCDEFGHJK";
                }

                @Override
                public void write(ByteBuffer b) {
                    byte[] a = new byte[b.remaining()];
                    b.get(a);
                    bytes.writeBytes(a);
                }

                @Override
                public CompletionStage<Void> commit() {
                    committed = true;
                    return CompletableFuture.completedFuture(null);
                }

                @Override
                public void abort() {
                    aborted = true;
                }
            };
        }

        String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    private static Envelope envelope(Optional<String> user) {
        return new Envelope(Optional.of(MailAddress.parse("bob@example.test")), List.of(MailAddress.parse("alice@example.test")),
                Map.of(), Map.of(), "laptop", new InetSocketAddress("127.0.0.1", 1), user, Optional.empty(), "submission", RECEIVED);
    }

    /** Stores {@code message} after the Received line, cut into chunks of {@code chunk} bytes. */
    private static String store(Optional<String> user, String message, int chunk) throws Exception {
        Recording queue = new Recording();
        IncomingMessage m = new SubmissionHeaders(queue, "mx.example.test", ZoneOffset.ofHours(1)).open(envelope(user));
        byte[] all = (RECEIVED_LINE + message).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < all.length; i += chunk) {
            m.write(ByteBuffer.wrap(all, i, Math.min(chunk, all.length - i)));
        }
        m.commit().toCompletableFuture().join();
        assertThat(queue.committed).isTrue();
        return queue.text();
    }

    private static final String ADDED = "Date: Fri, 2 Jan 2026 11:00:00 +0100\r\nMessage-ID: <01ABCDEFGHJK@mx.example.test>\r\n";

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 64, 100_000})
    void missingHeadersAreAddedAtTheEndOfTheHeaderSection(int chunk) throws Exception {
        assertThat(store(Optional.of("bob@example.test"), "Subject: hi\r\n\r\nbody\r\n\r\nmore\r\n", chunk))
                .isEqualTo(RECEIVED_LINE + "Subject: hi\r\n" + ADDED + "\r\nbody\r\n\r\nmore\r\n");
    }

    @Test
    void presentHeadersAreKeptInAnyCaseAndSpacing() throws Exception {
        String message = "date: Mon, 2 Jan 2006 15:04:05 -0700\r\nMESSAGE-ID : <own@laptop>\r\n\r\nbody\r\n";
        assertThat(store(Optional.of("bob@example.test"), message, 5)).isEqualTo(RECEIVED_LINE + message);
    }

    @Test
    void onlyTheMissingOneIsAdded() throws Exception {
        assertThat(store(Optional.of("bob@example.test"), "Message-ID: <own@laptop>\r\n\r\nbody\r\n", 4096))
                .isEqualTo(RECEIVED_LINE + "Message-ID: <own@laptop>\r\nDate: Fri, 2 Jan 2026 11:00:00 +0100\r\n\r\nbody\r\n");
    }

    @Test
    void aHeaderNamedInAFoldedLineOrTheBodyDoesNotCount() throws Exception {
        assertThat(store(Optional.of("bob@example.test"), "Subject: a\r\n Date: folded\r\n\r\nDate: in the body\r\n", 3))
                .isEqualTo(RECEIVED_LINE + "Subject: a\r\n Date: folded\r\n" + ADDED + "\r\nDate: in the body\r\n");
    }

    @Test
    void aMessageOfHeadersOnlyIsCompletedAtItsEnd() throws Exception {
        assertThat(store(Optional.of("bob@example.test"), "Subject: no body", 6))
                .isEqualTo(RECEIVED_LINE + "Subject: no body\r\n" + ADDED);
    }

    @Test
    void bareLineFeedsEndTheHeaderSectionToo() throws Exception {
        assertThat(store(Optional.of("bob@example.test"), "Subject: lf\n\nbody\n", 2))
                .isEqualTo(RECEIVED_LINE + "Subject: lf\n" + ADDED + "\nbody\n");
    }

    @Test
    void mailFromUnauthenticatedClientsIsLeftAlone() throws Exception {
        assertThat(store(Optional.empty(), "Subject: inbound\r\n\r\nbody\r\n", 3))
                .isEqualTo(RECEIVED_LINE + "Subject: inbound\r\n\r\nbody\r\n");
    }

    @Test
    void aHugeHeaderSectionIsPassedOnUnchanged() throws Exception {
        String big = "X-Big: " + "a".repeat(SubmissionHeaders.MAX_HEADER_BYTES) + "\r\n\r\nbody\r\n";
        assertThat(store(Optional.of("bob@example.test"), big, 8192)).isEqualTo(RECEIVED_LINE + big);
    }

    @Test
    void abortReachesTheQueue() throws Exception {
        Recording queue = new Recording();
        IncomingMessage m = new SubmissionHeaders(queue, "mx.example.test", ZoneOffset.UTC).open(envelope(Optional.of("bob@example.test")));
        m.write(ByteBuffer.wrap("Subject: x\r\n".getBytes(StandardCharsets.US_ASCII)));
        m.abort();
        assertThat(queue.aborted).isTrue();
        assertThat(queue.committed).isFalse();
    }
}
