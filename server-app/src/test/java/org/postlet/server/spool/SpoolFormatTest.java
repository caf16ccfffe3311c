package org.postlet.server.spool;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
