package org.postlet.smtp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * What {@link SmtpFrameDecoder} hands to the session: a command line, a too-long command line,
 * a chunk of message data or the end of the message data. Internal to the SMTP module; the
 * reference-counted {@link DataChunk} never leaves it.
 */
public sealed interface SmtpFrame permits SmtpFrame.CommandLine, SmtpFrame.LineTooLong, SmtpFrame.DataChunk,
        SmtpFrame.EndOfData, SmtpFrame.EndOfChunk,
        SmtpFrame.BareLineFeedDot {

    /** A command line without its line ending, decoded as UTF-8 (RFC 6531 allows UTF-8 addresses). */
    record CommandLine(String text) implements SmtpFrame {
    }

    /** A command line longer than the limit; it was discarded up to and including its line ending. */
    enum LineTooLong implements SmtpFrame {
        INSTANCE
    }

    /**
     * Message bytes: dot-unstuffed in DATA, exactly as sent in a BDAT chunk. The receiver owns one reference and must release it, even when
     * it discards the bytes.
     */
    final class DataChunk extends DefaultByteBufHolder implements SmtpFrame {

        public DataChunk(ByteBuf content) {
            super(content);
        }
    }

    /** The client sent {@code <CRLF>.<CRLF>}: the message is complete; the decoder is back in command mode. */
    enum EndOfData implements SmtpFrame {
        INSTANCE
    }

    /** The last octet of a BDAT chunk was read; the decoder is back in command mode. */
    enum EndOfChunk implements SmtpFrame {
        INSTANCE
    }

    /**
     * In DATA, a line of a single dot ended by a bare LF: a client that does not end its lines
     * with CRLF, or a smuggling attempt. The decoder reads nothing after it.
     */
    enum BareLineFeedDot implements SmtpFrame {
        INSTANCE
    }
}
