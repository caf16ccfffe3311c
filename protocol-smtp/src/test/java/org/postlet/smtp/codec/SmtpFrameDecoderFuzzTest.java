package org.postlet.smtp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fuzzes the frame decoder with whatever a client may send, in command, DATA and BDAT mode
 * (docs/fuzzing.md). The same bytes are fed whole, in the fuzzer's chunking and one byte at a
 * time, and each run must give exactly the frames of a plain reference model of RFC 5321 framing:
 * lines up to LF, lines over 512 octets refused, a message ending only at {@code <CRLF>.<CRLF>}
 * with leading dots removed, a BDAT chunk of exactly its size. Every buffer handed in must be
 * released by the end.
 */
class SmtpFrameDecoderFuzzTest {

    private static final Pattern BDAT = Pattern.compile("(?i)BDAT ([0-9]{1,6})( LAST)?");

    @FuzzTest(maxDuration = "3m")
    void framesMatchTheModelHoweverTheBytesAreSplit(FuzzedDataProvider data) {
        byte[] cuts = data.consumeBytes(data.consumeInt(0, 64));
        byte[] input = data.consumeRemainingAsBytes();

        List<String> expected = model(input);
        assertThat(decode(input, List.of(input.length))).as("fed whole").isEqualTo(expected);
        List<Integer> sizes = new ArrayList<>();
        for (byte cut : cuts) {
            sizes.add((cut & 0xff) % 32 + 1);
        }
        assertThat(decode(input, sizes)).as("fed in pieces of %s", sizes).isEqualTo(expected);
        assertThat(decode(input, List.of(1))).as("fed byte by byte").isEqualTo(expected);
    }

    /** What the session does with a command line: the decoder's next mode, as the session sets it. */
    private static long chunkAfter(String line) {
        Matcher m = BDAT.matcher(line);
        return m.matches() ? Long.parseLong(m.group(1)) : 0;
    }

    /**
     * Feeds {@code input} in pieces of the given sizes (the last size repeats) and records the
     * frames, consecutive data chunks merged, as the session would see them.
     */
    private static List<String> decode(byte[] input, List<Integer> sizes) {
        SmtpFrameDecoder decoder = new SmtpFrameDecoder();
        Session session = new Session(decoder);
        EmbeddedChannel channel = new EmbeddedChannel(decoder, session);
        List<ByteBuf> fed = new ArrayList<>();
        int pos = 0;
        for (int i = 0; pos < input.length; i++) {
            int size = Math.min(sizes.isEmpty() ? input.length : sizes.get(Math.min(i, sizes.size() - 1)), input.length - pos);
            ByteBuf piece = Unpooled.buffer(size).writeBytes(input, pos, size);
            fed.add(piece);
            channel.writeInbound(piece);
            pos += size;
        }
        channel.finishAndReleaseAll();
        session.flushData();
        for (ByteBuf piece : fed) {
            assertThat(piece.refCnt()).as("every buffer handed to the decoder is released").isZero();
        }
        return session.frames;
    }

    /** Plays the session's part, switching the decoder's mode after DATA and BDAT as it does. */
    private static final class Session extends ChannelInboundHandlerAdapter {
        private final SmtpFrameDecoder decoder;
        private final List<String> frames = new ArrayList<>();
        private final StringBuilder data = new StringBuilder();

        Session(SmtpFrameDecoder decoder) {
            this.decoder = decoder;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof SmtpFrame.DataChunk chunk) {
                try {
                    data.append(chunk.content().toString(StandardCharsets.ISO_8859_1));
                } finally {
                    chunk.release();
                }
                return;
            }
            if (msg == SmtpFrame.BareLineFeedDot.INSTANCE) {
                // The session refuses the whole message, so how much of it came before does not matter.
                data.setLength(0);
                frames.add("BARE-LF-DOT");
                return;
            }
            flushData();
            if (msg instanceof SmtpFrame.CommandLine line) {
                frames.add("CMD " + line.text());
                if (line.text().equalsIgnoreCase("DATA")) {
                    decoder.expectData();
                } else if (chunkAfter(line.text()) > 0) {
                    decoder.expectChunk(chunkAfter(line.text()));
                }
            } else if (msg == SmtpFrame.LineTooLong.INSTANCE) {
                frames.add("TOO-LONG");
            } else if (msg == SmtpFrame.EndOfData.INSTANCE) {
                frames.add("END-OF-DATA");
            } else if (msg == SmtpFrame.EndOfChunk.INSTANCE) {
                frames.add("END-OF-CHUNK");
            } else {
                throw new AssertionError("unexpected frame " + msg);
            }
        }

        void flushData() {
            if (!data.isEmpty()) {
                frames.add("DATA " + data);
                data.setLength(0);
            }
        }
    }

    /** RFC 5321 framing of the whole input at once, written as plainly as possible. */
    static List<String> model(byte[] bytes) {
        String in = new String(bytes, StandardCharsets.ISO_8859_1);
        List<String> frames = new ArrayList<>();
        int pos = 0;
        while (pos < in.length()) {
            int lf = in.indexOf('\n', pos);
            if (lf < 0) {
                break; // an unfinished command line is never a frame
            }
            int next = lf + 1;
            if (next - pos > SmtpFrameDecoder.MAX_COMMAND_LINE) {
                frames.add("TOO-LONG");
                pos = next;
                continue;
            }
            int end = lf > pos && in.charAt(lf - 1) == '\r' ? lf - 1 : lf;
            String line = new String(bytes, pos, end - pos, StandardCharsets.UTF_8);
            frames.add("CMD " + line);
            pos = next;
            if (line.equalsIgnoreCase("DATA")) {
                // The start of the data counts as a line start: prefix a CRLF and look for CRLF.CRLF.
                String rest = "\r\n" + in.substring(pos);
                int terminator = rest.indexOf("\r\n.\r\n");
                // A dot line ended by a bare LF (after CRLF or a bare LF) ends the connection's input,
                // unless the real terminator's LF comes first.
                int bareLfDot = rest.indexOf("\n.\n");
                if (bareLfDot >= 0 && (terminator < 0 || bareLfDot < terminator + 1)) {
                    frames.add("BARE-LF-DOT");
                    return frames;
                }
                String content = terminator < 0 ? rest : rest.substring(0, terminator + 2);
                String unstuffed = content.replace("\r\n.", "\r\n").substring(2);
                if (terminator < 0 && rest.endsWith("\r\n.\r")) {
                    unstuffed = unstuffed.substring(0, unstuffed.length() - 1); // held: it may start the terminator
                }
                if (!unstuffed.isEmpty()) {
                    frames.add("DATA " + unstuffed);
                }
                if (terminator < 0) {
                    return frames;
                }
                frames.add("END-OF-DATA");
                pos += terminator + 3;
            } else if (chunkAfter(line) > 0) {
                long size = chunkAfter(line);
                int take = (int) Math.min(size, in.length() - pos);
                if (take > 0) {
                    frames.add("DATA " + in.substring(pos, pos + take));
                }
                pos += take;
                if (take < size) {
                    return frames;
                }
                frames.add("END-OF-CHUNK");
            }
        }
        return frames;
    }
}
