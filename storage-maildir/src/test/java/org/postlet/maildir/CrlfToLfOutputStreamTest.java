package org.postlet.maildir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CrlfToLfOutputStreamTest {

    @Test
    void crlfBecomesLf() throws IOException {
        assertThat(convertInOneWrite("Subject: hi\r\n\r\nbody\r\n")).isEqualTo("Subject: hi\n\nbody\n");
    }

    @Test
    void bareCrAndBareLfAreKept() throws IOException {
        assertThat(convertInOneWrite("a\rb\nc\r\n")).isEqualTo("a\rb\nc\n");
        assertThat(convertInOneWrite("\r\r\n")).isEqualTo("\r\n");
        assertThat(convertInOneWrite("\n\r")).isEqualTo("\n\r");
        assertThat(convertInOneWrite("\r\n\r")).isEqualTo("\n\r");
    }

    @Test
    void crlfSplitAcrossWritesIsStillConverted() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        CrlfToLfOutputStream out = new CrlfToLfOutputStream(sink);
        out.write("line one\r".getBytes(StandardCharsets.US_ASCII));
        out.write("\nline two\r".getBytes(StandardCharsets.US_ASCII));
        out.write("x".getBytes(StandardCharsets.US_ASCII));
        out.close();

        assertThat(sink.toString(StandardCharsets.US_ASCII)).isEqualTo("line one\nline two\rx");
    }

    @Test
    void byteByByteWritesGiveTheSameResult() throws IOException {
        String input = "a\r\nb\rc\n\r\r\n\r";
        ByteArrayOutputStream singleBytes = new ByteArrayOutputStream();
        try (CrlfToLfOutputStream out = new CrlfToLfOutputStream(singleBytes)) {
            for (byte b : input.getBytes(StandardCharsets.US_ASCII)) {
                out.write(b);
            }
        }
        ByteArrayOutputStream oneByteArrays = new ByteArrayOutputStream();
        try (CrlfToLfOutputStream out = new CrlfToLfOutputStream(oneByteArrays)) {
            byte[] bytes = input.getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < bytes.length; i++) {
                out.write(bytes, i, 1);
            }
        }

        assertThat(singleBytes.toString(StandardCharsets.US_ASCII)).isEqualTo("a\nb\rc\n\r\n\r");
        assertThat(oneByteArrays.toString(StandardCharsets.US_ASCII)).isEqualTo("a\nb\rc\n\r\n\r");
    }

    @Test
    void anySplitOfRandomInputMatchesTheReference() throws IOException {
        Random random = new Random(42);
        byte[] alphabet = {'\r', '\n', 'x', (byte) 0xff};
        for (int round = 0; round < 500; round++) {
            byte[] input = new byte[random.nextInt(64)];
            for (int i = 0; i < input.length; i++) {
                input[i] = alphabet[random.nextInt(alphabet.length)];
            }
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            try (CrlfToLfOutputStream out = new CrlfToLfOutputStream(sink)) {
                int pos = 0;
                while (pos < input.length) {
                    int len = Math.min(input.length - pos, random.nextInt(5));
                    if (random.nextBoolean() && len == 1) {
                        out.write(input[pos]);
                    } else {
                        // Copy into a larger array at an offset to exercise off/len handling.
                        byte[] padded = new byte[len + 6];
                        System.arraycopy(input, pos, padded, 3, len);
                        out.write(padded, 3, len);
                    }
                    pos += len;
                }
            }
            assertThat(sink.toByteArray()).as("round %d", round).isEqualTo(reference(input));
        }
    }

    @Test
    void closeFlushesAHeldCrButLeavesTheUnderlyingStreamOpen() throws IOException {
        boolean[] underlyingClosed = {false};
        ByteArrayOutputStream sink = new ByteArrayOutputStream() {
            @Override
            public void close() {
                underlyingClosed[0] = true;
            }
        };
        CrlfToLfOutputStream out = new CrlfToLfOutputStream(sink);
        out.write("end\r".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertThat(sink.toString(StandardCharsets.US_ASCII)).as("CR held until the next byte").isEqualTo("end");

        out.close();
        out.close();

        assertThat(sink.toString(StandardCharsets.US_ASCII)).isEqualTo("end\r");
        assertThat(underlyingClosed[0]).isFalse();
        assertThatThrownBy(() -> out.write('x')).isInstanceOf(IOException.class).hasMessageContaining("closed");
    }

    private static String convertInOneWrite(String input) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream out = new CrlfToLfOutputStream(sink)) {
            out.write(input.getBytes(StandardCharsets.US_ASCII));
        }
        return sink.toString(StandardCharsets.US_ASCII);
    }

    /** Obviously-correct conversion of a whole array: drop each CR that is directly followed by LF. */
    private static byte[] reference(byte[] input) {
        ByteArrayOutputStream result = new ByteArrayOutputStream();
        for (int i = 0; i < input.length; i++) {
            if (input[i] == '\r' && i + 1 < input.length && input[i + 1] == '\n') {
                continue;
            }
            result.write(input[i]);
        }
        return result.toByteArray();
    }
}
