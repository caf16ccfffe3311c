package org.postlet.outbound.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DotStuffingOutputStreamTest {

    private static String wire(String message) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DotStuffingOutputStream body = new DotStuffingOutputStream(out);
        body.write(message.getBytes(StandardCharsets.ISO_8859_1));
        body.finish();
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void leadingDotsAreDoubledAndTheBodyEndsWithTheDotLine() throws IOException {
        assertThat(wire(".hidden\r\nmiddle.\r\n.\r\n")).isEqualTo("..hidden\r\nmiddle.\r\n..\r\n.\r\n");
    }

    @Test
    void anOpenLastLineIsClosedBeforeTheDot() throws IOException {
        assertThat(wire("Subject: x\r\n\r\nno newline")).isEqualTo("Subject: x\r\n\r\nno newline\r\n.\r\n");
    }

    @Test
    void bareLfAndBareCrBecomeCrlfSoNoReceiverSeesAnotherEndOfData() throws IOException {
        // The smuggling payloads: <LF>.<LF>, <CR>.<CR>, <LF>.<CR><LF> must never reach the wire as such.
        assertThat(wire("a\n.\nMAIL FROM:<x>\r\n")).isEqualTo("a\r\n..\r\nMAIL FROM:<x>\r\n.\r\n");
        assertThat(wire("a\r.\rb\r\n")).isEqualTo("a\r\n..\r\nb\r\n.\r\n");
        assertThat(wire("a\n.\r\nb\r\n")).isEqualTo("a\r\n..\r\nb\r\n.\r\n");
    }

    @Test
    void anEmptyMessageIsJustTheDot() throws IOException {
        assertThat(wire("")).isEqualTo(".\r\n");
    }
}
