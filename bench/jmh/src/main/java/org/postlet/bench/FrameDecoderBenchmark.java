package org.postlet.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.postlet.smtp.codec.SmtpFrameDecoder;

/**
 * The SMTP frame decoder on the DATA stream: dot-unstuffing and end-of-data detection over a
 * message of {@code size} bytes in 1460-byte segments, as TCP delivers it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FrameDecoderBenchmark {

    @Param({"4096", "1048576"})
    int size;

    private byte[] message;

    @Setup
    public void prepare() {
        StringBuilder b = new StringBuilder(size + 64).append("Subject: bench\r\n\r\n");
        String line = "The quick brown fox jumps over the lazy dog, and a leading dot follows:\r\n..stuffed\r\n";
        while (b.length() < size) {
            b.append(line);
        }
        message = b.append(".\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    @Benchmark
    public int decodeMessage() {
        SmtpFrameDecoder decoder = new SmtpFrameDecoder();
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        decoder.expectData();
        int frames = 0;
        for (int off = 0; off < message.length; off += 1460) {
            ByteBuf segment = Unpooled.wrappedBuffer(message, off, Math.min(1460, message.length - off));
            channel.writeInbound(segment);
            for (Object frame; (frame = channel.readInbound()) != null; ) {
                frames++;
                ReferenceCountUtil.release(frame);
            }
        }
        channel.finishAndReleaseAll();
        return frames;
    }
}
