package org.postlet.smtp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SmtpFrameDecoderTest {

    /**
     * Plays the session's part: records frames as strings and switches to data mode after a
     * {@code DATA} line, just as the real session does after 354.
     */
    private static final class Recorder extends ChannelInboundHandlerAdapter {
        private final SmtpFrameDecoder decoder;
        private final List<String> frames = new ArrayList<>();
        private final ByteArrayOutputStream data = new ByteArrayOutputStream();

        Recorder(SmtpFrameDecoder decoder) {
            this.decoder = decoder;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof SmtpFrame.DataChunk chunk) {
                try {
                    ByteBuf content = chunk.content();
                    byte[] bytes = new byte[content.readableBytes()];
                    content.getBytes(content.readerIndex(), bytes);
                    data.writeBytes(bytes);
                } finally {
                    chunk.release();
                }
                return;
            }
            if (msg == SmtpFrame.BareLineFeedDot.INSTANCE) {
                frames.add("BARE-LF-DOT[" + data.toString(StandardCharsets.UTF_8) + "]");
                data.reset();
            } else if (msg == SmtpFrame.EndOfData.INSTANCE) {
                frames.add("DATA[" + data.toString(StandardCharsets.UTF_8) + "]");
                data.reset();
            } else if (msg instanceof SmtpFrame.CommandLine line) {
                frames.add(line.text());
                if (line.text().equalsIgnoreCase("DATA")) {
                    decoder.expectData();
                }
            } else {
                frames.add(msg.toString());
            }
        }
    }

    private static List<String> decode(List<byte[]> pieces) {
        SmtpFrameDecoder decoder = new SmtpFrameDecoder();
        Recorder recorder = new Recorder(decoder);
        EmbeddedChannel channel = new EmbeddedChannel(decoder, recorder);
        for (byte[] piece : pieces) {
            channel.writeInbound(Unpooled.wrappedBuffer(piece));
        }
        channel.finishAndReleaseAll();
        if (recorder.data.size() > 0) {
            recorder.frames.add("UNFINISHED[" + recorder.data.toString(StandardCharsets.UTF_8) + "]");
        }
        return recorder.frames;
    }

    private static List<String> decodeWhole(String input) {
        return decode(List.of(input.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> decodeByteByByte(String input) {
        List<byte[]> pieces = new ArrayList<>();
        for (byte b : input.getBytes(StandardCharsets.UTF_8)) {
            pieces.add(new byte[] {b});
        }
        return decode(pieces);
    }

    private static List<String> decodeRandomSplits(String input, long seed) {
        byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
        Random random = new Random(seed);
        List<byte[]> pieces = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            int length = Math.min(bytes.length - at, 1 + random.nextInt(7));
            byte[] piece = new byte[length];
            System.arraycopy(bytes, at, piece, 0, length);
            pieces.add(piece);
            at += length;
        }
        return decode(pieces);
    }

    private static final String SESSION = "EHLO client\r\nMAIL FROM:<a@b.test>\r\nDATA\r\n"
            + "Subject: dots\r\n\r\n..x\r\n..\r\n.\r\r\n.\rx\r\nline.\r\n. \r\n\r\n.\r\nQUIT\r\n";
    private static final List<String> SESSION_FRAMES = List.of("EHLO client", "MAIL FROM:<a@b.test>", "DATA",
            "DATA[Subject: dots\r\n\r\n.x\r\n.\r\n\r\r\n\rx\r\nline.\r\n \r\n\r\n]", "QUIT");

    @Test
    void separatesCommandsAndUnstuffsData() {
        assertThat(decodeWhole(SESSION)).isEqualTo(SESSION_FRAMES);
    }

    @Test
    void sameResultByteByByte() {
        assertThat(decodeByteByByte(SESSION)).isEqualTo(SESSION_FRAMES);
    }

    @Test
    void sameResultInRandomSplits() {
        for (long seed = 0; seed < 200; seed++) {
            assertThat(decodeRandomSplits(SESSION, seed)).as("seed %d", seed).isEqualTo(SESSION_FRAMES);
        }
    }

    @Test
    void emptyMessageEndsAtOnceBecauseDataStartsAtALineStart() {
        assertThat(decodeWhole("DATA\r\n.\r\nNOOP\r\n")).containsExactly("DATA", "DATA[]", "NOOP");
    }

    /**
     * Smuggling: none of these ends the message. A dot right after CRLF is at a line start and is
     * removed as stuffing (RFC 5321 §4.5.2), everything else is kept byte for byte.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\\n.\\r\\n  | \\n.\\r\\n",
        "\\r.\\r     | \\r.\\r",
        "\\r.\\r\\n  | \\r.\\r\\n",
        "\\n.\\r     | \\n.\\r",
        "\\r\\n.\\r  | \\r\\n\\r"})
    void onlyCrLfDotCrLfEndsTheData(String smuggleEscaped, String keptEscaped) {
        String smuggle = unescape(smuggleEscaped);
        String input = "DATA\r\nbody" + smuggle + "MAIL FROM:<evil@x.test>\r\n.\r\nQUIT\r\n";
        List<String> expected = List.of("DATA", "DATA[body" + unescape(keptEscaped) + "MAIL FROM:<evil@x.test>\r\n]", "QUIT");
        assertThat(decodeWhole(input)).isEqualTo(expected);
        assertThat(decodeByteByByte(input)).isEqualTo(expected);
    }

    /**
     * A dot line ended by a bare LF is neither the end of data nor data: it is reported, and the
     * decoder reads nothing after it, so the smuggled command and everything else is never a frame.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"body\\n.\\n", "body\\r\\n.\\n", "x\\n\\n.\\n", ".\\n"})
    void aDotLineEndedByABareLfIsReportedAndNothingAfterItIsRead(String dataEscaped) {
        String input = "DATA\r\n" + unescape(dataEscaped) + "MAIL FROM:<evil@x.test>\r\n.\r\nQUIT\r\n";
        List<String> whole = decodeWhole(input);
        assertThat(whole).hasSize(2);
        assertThat(whole.get(0)).isEqualTo("DATA");
        assertThat(whole.get(1)).startsWith("BARE-LF-DOT[");
        assertThat(decodeByteByByte(input)).hasSize(2).last().asString().startsWith("BARE-LF-DOT[");
    }

    private static String unescape(String text) {
        return text.strip().replace("\\r", "\r").replace("\\n", "\n");
    }

    @Test
    void acceptsBareLfForCommands() {
        assertThat(decodeWhole("HELO a\nNOOP\r\n")).containsExactly("HELO a", "NOOP");
    }

    @Test
    void reportsATooLongCommandLineAndGoesOn() {
        String tooLong = "NOOP " + "x".repeat(600) + "\r\n";
        assertThat(decodeWhole(tooLong + "QUIT\r\n")).containsExactly("INSTANCE", "QUIT");
        assertThat(decodeByteByByte(tooLong + "QUIT\r\n")).containsExactly("INSTANCE", "QUIT");
    }

    @Test
    void acceptsACommandLineOfExactly512Octets() {
        String line = "NOOP " + "x".repeat(512 - 7);
        assertThat(decodeWhole(line + "\r\n")).containsExactly(line);
        assertThat(decodeWhole(line + "x\r\n")).containsExactly("INSTANCE");
    }

    @Test
    void longTextLinesInsideDataAreKept() {
        String longLine = "y".repeat(5000);
        assertThat(decodeRandomSplits("DATA\r\n" + longLine + "\r\n.\r\n", 7))
                .containsExactly("DATA", "DATA[" + longLine + "\r\n]");
    }

    /**
     * The decoder scans data in heap windows of 8 KiB; every dot, CR and LF sequence must mean the
     * same when it straddles a window's end inside one received buffer.
     */
    @Test
    void sequencesAcrossTheScanWindowMeanTheSame() {
        for (int pad = 8150; pad < 8200; pad++) {
            String padding = "a".repeat(pad);
            String input = "DATA\r\n" + padding + "\r\n..x\r\n..\r\n.\r\r\n.\rx\r\nline.\r\n. \r\n\r\n.\r\nQUIT\r\n";
            assertThat(decodeWhole(input)).as("padding %d", pad).containsExactly("DATA",
                    "DATA[" + padding + "\r\n.x\r\n.\r\n\r\r\n\rx\r\nline.\r\n \r\n\r\n]", "QUIT");
            assertThat(decodeWhole("DATA\r\n" + padding + "\n.\nMAIL FROM:<x@y.test>\r\n"))
                    .as("padding %d", pad).containsExactly("DATA", "BARE-LF-DOT[]"); // refused whole: none of it is passed on
            assertThat(decodeWhole("DATA\r\n" + padding + "\r\n.\r\nQUIT\r\n"))
                    .as("padding %d", pad).containsExactly("DATA", "DATA[" + padding + "\r\n]", "QUIT");
        }
    }

    @Test
    void holdsFramesWhilePausedAndDeliversThemOnResume() {
        SmtpFrameDecoder decoder = new SmtpFrameDecoder();
        Recorder recorder = new Recorder(decoder);
        EmbeddedChannel channel = new EmbeddedChannel(decoder, recorder);
        channel.writeInbound(Unpooled.copiedBuffer("NOOP\r\n", StandardCharsets.US_ASCII));
        decoder.pause();
        channel.writeInbound(Unpooled.copiedBuffer("RSET\r\nQUIT\r\n", StandardCharsets.US_ASCII));
        assertThat(recorder.frames).containsExactly("NOOP");
        decoder.resume();
        assertThat(recorder.frames).containsExactly("NOOP", "RSET", "QUIT");
        channel.finishAndReleaseAll();
    }

    @Test
    void pausedDecoderStopsReadingOnlyWhenItHoldsMuch() {
        SmtpFrameDecoder decoder = new SmtpFrameDecoder();
        Recorder recorder = new Recorder(decoder);
        EmbeddedChannel channel = new EmbeddedChannel(decoder, recorder);
        decoder.pause();
        channel.writeInbound(Unpooled.copiedBuffer("QUIT\r\n", StandardCharsets.US_ASCII));
        assertThat(channel.config().isAutoRead()).as("a pipelined command does not stop reading").isTrue();
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[SmtpFrameDecoder.HELD_WHILE_PAUSED]));
        assertThat(channel.config().isAutoRead()).as("a client pushing on is held back").isFalse();
        decoder.resume();
        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(recorder.frames).startsWith("QUIT");
        channel.finishAndReleaseAll();
    }
}
