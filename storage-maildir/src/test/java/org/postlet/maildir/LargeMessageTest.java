package org.postlet.maildir;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.MailAddress;

/**
 * A message larger than the test JVM's heap (surefire runs this module with -Xmx32m, see pom.xml):
 * if delivery held the message in memory, this would fail with OutOfMemoryError.
 */
class LargeMessageTest {

    private static final int CHUNK = 64 * 1024;
    private static final int CHUNKS = 640; // 40 MiB

    @TempDir
    Path temp;

    @Test
    void fortyMegabytesStreamToDisk() throws IOException {
        MaildirStore store = new MaildirStore(temp, "%d/%n", "mx.example.test");
        // Each chunk is "\n" + x... + "\r": the CR ending one chunk and the LF starting the next form
        // a CRLF split across writes; the first LF and the last CR are bare and stay.
        byte[] chunk = new byte[CHUNK];
        Arrays.fill(chunk, (byte) 'x');
        chunk[0] = '\n';
        chunk[CHUNK - 1] = '\r';
        MessageContent content = out -> {
            for (int i = 0; i < CHUNKS; i++) {
                out.write(chunk);
            }
        };

        DeliveryResult result = store.deliver(new Delivery(new MailAddress("alice", "example.test"),
                Optional.empty(), Optional.empty(), content));

        String header = "Return-Path: <>\nDelivered-To: alice@example.test\n";
        long expected = header.length() + (long) CHUNK * CHUNKS - (CHUNKS - 1);
        assertThat(Files.size(result.file())).isEqualTo(expected);
        assertThat(result.size()).isEqualTo(expected);
        assertThat(result.file().getFileName().toString()).endsWith(",S=" + expected);
        try (InputStream in = Files.newInputStream(result.file())) {
            byte[] start = in.readNBytes(header.length() + 3);
            assertThat(new String(start, StandardCharsets.US_ASCII)).isEqualTo(header + "\nxx");
            in.skipNBytes(expected - start.length - 3);
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("xx\r");
        }
    }
}
