package org.postlet.server.spool;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpoolFormatTest {

    @TempDir
    Path dir;

    /** Found by SpoolFormatFuzzTest: these records threw StringIndexOutOfBoundsException. */
    @ParameterizedTest
    @ValueSource(strings = {"parameter: BODY", "attribute: name", "recipient-parameter: b%40example.test",
            "recipient-parameter: b%40example.test+NOTIFY"})
    void aRecordWithoutItsSeparatorIsRefusedAsMalformed(String record) throws IOException {
        Path file = dir.resolve("0000000001-x");
        Files.writeString(file, "POSTLET-SPOOL 2\nid: x\nrecipient: b%40example.test\n" + record
                + "\n\nbody\n%%POSTLET-END 00000000\n");
        assertThatThrownBy(() -> SpoolFormat.read(file))
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
                java.nio.charset.StandardCharsets.UTF_8);
        Path file = dir.resolve("0000000001-x");
        Files.writeString(file, "POSTLET-SPOOL 2\nid: x\nrecipient: b%40example.test\nattribute: " + value
                + "\n\nbody\n%%POSTLET-END 00000000\n");
        assertThatThrownBy(() -> SpoolFormat.read(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("mail attribute 'deep' is refused: its object graph is deeper or larger");
    }
}
