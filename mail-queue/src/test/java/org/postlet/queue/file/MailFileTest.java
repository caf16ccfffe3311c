package org.postlet.queue.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.internet.SharedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.ProcessingState;
import org.postlet.queue.MailEnvelope;
import org.postlet.queue.MessageContent;
import org.postlet.queue.Origin;

class MailFileTest {

    @TempDir
    Path dir;

    private static final byte[] MESSAGE = "Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);

    private static MailEnvelope envelope(Origin origin) {
        return new MailEnvelope(Optional.of(MailAddress.parse("a@example.com")), List.of(MailAddress.parse("b@example.test")),
                Map.of("ENVID", "x1"), Map.of(), origin, Instant.parse("2026-11-30T01:00:00.123456789Z"));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void aWrittenMailReadsBackWithItsOrigin(int which) throws IOException {
        Origin origin = List.<Origin>of(
                new Origin.SmtpSession("helo name", "2001:db8::1", 25, Optional.of("user"), Optional.of("TLSv1.3"), "mx"),
                new Origin.Generated("01CAUSECAUSE"), new Origin.Requeued("var/error"), new Origin.Trace("/tmp/a b.eml")).get(which);
        Path file = dir.resolve("01MAILMAILMA");
        Map<String, Serializable> attributes = Map.of("n", 1, "s", "v");
        MailFile.write(file, "01MAILMAILMA", envelope(origin), new ProcessingState("transport"), Optional.of("550 no\nsuch"),
                attributes, out -> out.write(MESSAGE));

        assertThat(MailFile.sealed(file)).isTrue();
        MailFile.Kept kept = MailFile.read(file);
        assertThat(kept.id()).isEqualTo("01MAILMAILMA");
        assertThat(kept.envelope()).isEqualTo(envelope(origin));
        assertThat(kept.state()).isEqualTo(new ProcessingState("transport"));
        assertThat(kept.error()).contains("550 no\nsuch");
        assertThat(kept.attributes()).isEqualTo(attributes);
        assertThat(kept.messageSize()).isEqualTo(MESSAGE.length);
        MessageContent content = MailFile.content(file, kept);
        try (InputStream in = content.open()) {
            assertThat(in).isInstanceOf(SharedInputStream.class);
            assertThat(in.readAllBytes()).isEqualTo(MESSAGE);
        }
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mx", "repository", "internal"})
    void aFileOfTheEarlierLayoutTellsItsOriginByItsListener(String listener) throws IOException {
        Path file = dir.resolve("x");
        Files.writeString(file, "POSTLET-SPOOL 2\nid: 01MAILMAILMA\nsender: \nrecipient: b%40example.test\nhelo: h\n"
                + "client-address: 192.0.2.1\nclient-port: 4000\nauth: u\nlistener: " + listener + "\nreceived-at: 2026-11-30T01:00:00Z\n\n"
                + "body\n%%POSTLET-END 00000000\n");
        Origin expected = switch (listener) {
            case "repository" -> new Origin.Requeued(MailFile.UNKNOWN_REPOSITORY);
            case "internal" -> new Origin.Generated("01MAILMAILMA");
            default -> new Origin.SmtpSession("h", "192.0.2.1", 4000, Optional.of("u"), Optional.empty(), "mx");
        };
        MailFile.Kept kept = MailFile.read(file);
        assertThat(kept.envelope().origin()).isEqualTo(expected);
        assertThat(kept.envelope().sender()).isEmpty();
        assertThat(kept.messageSize()).as("the seal line starts with the newline before it").isEqualTo(4);
    }

    /** Found by the fuzz test of the earlier spool format: these records threw StringIndexOutOfBoundsException. */
    @ParameterizedTest
    @ValueSource(strings = {"parameter: BODY", "attribute: name", "recipient-parameter: b%40example.test",
            "recipient-parameter: b%40example.test+NOTIFY"})
    void aRecordWithoutItsSeparatorIsRefusedAsMalformed(String record) throws IOException {
        Path file = dir.resolve("0000000001-x");
        Files.writeString(file, "POSTLET-SPOOL 2\nid: x\nrecipient: b%40example.test\n" + record
                + "\n\nbody\n%%POSTLET-END 00000000\n");
        assertThatThrownBy(() -> MailFile.read(file))
                .isInstanceOf(IOException.class)
                .hasMessage(file + ": malformed envelope record '" + record + "'");
    }

    /** A planted or damaged attribute cannot make the reader build an object graph without bound. */
    @Test
    void anAttributeNestedBeyondTheLimitIsRefusedWithItsName() throws IOException {
        Object[] deep = new Object[0];
        for (int i = 0; i < 40; i++) {
            deep = new Object[] {deep};
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(deep);
        }
        String value = java.net.URLEncoder.encode("deep=" + java.util.Base64.getEncoder().encodeToString(bytes.toByteArray()),
                StandardCharsets.UTF_8);
        Path file = dir.resolve("0000000001-x");
        Files.writeString(file, "POSTLET-SPOOL 2\nid: x\nrecipient: b%40example.test\nattribute: " + value
                + "\n\nbody\n%%POSTLET-END 00000000\n");
        assertThatThrownBy(() -> MailFile.read(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("mail attribute 'deep' is refused: its object graph is deeper or larger");
    }

    @Test
    void aFileThatIsNotAMailFileIsNamedAsSuch() throws IOException {
        Path file = dir.resolve("notes.txt");
        Files.writeString(file, "hello\n\n");
        assertThatThrownBy(() -> MailFile.read(file)).isInstanceOf(IOException.class)
                .hasMessage(file + ": not a Postlet mail file (first line is not 'POSTLET-SPOOL 2')");
        assertThat(MailFile.sealed(file)).isFalse();
    }

    @Test
    void anAttributeThatCannotBeSerialisedFailsTheWriteAndLeavesNothing() {
        Path file = dir.resolve("01MAILMAILMA");
        assertThatThrownBy(() -> MailFile.write(file, "01MAILMAILMA", envelope(new Origin.Generated("c")), ProcessingState.ROOT,
                Optional.empty(), Map.of("bad", new NotSerialisable()), out -> out.write(MESSAGE)))
                .isInstanceOf(IOException.class).hasMessageContaining("'bad'");
        assertThat(dir.toFile().list()).isEmpty();
    }

    /** Serializable by its type, not by its content. */
    private static final class NotSerialisable implements Serializable {
        private static final long serialVersionUID = 1L;
        @SuppressWarnings("unused")
        private final Object inside = new Object();
    }

    /** Records are written as URLEncoder writes them: files written before the fast path read the same. */
    @Test
    void recordValuesAreEncodedExactlyAsUrlEncoderDoes() {
        StringBuilder ascii = new StringBuilder();
        for (char c = 0; c < 0x80; c++) {
            ascii.append(c);
        }
        for (String value : List.of(ascii.toString(), "", "user@example.test", "a b+c%d", "caf\u00e9 x",
                "\ud83d\udce7 mail", "lone \ud83d surrogate", "\u0000\u007f\u0080\u00ff\u0100")) {
            StringBuilder b = new StringBuilder("x");
            MailFile.encode(b, value);
            assertThat(b.toString()).as(value).isEqualTo("x" + java.net.URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }
}
