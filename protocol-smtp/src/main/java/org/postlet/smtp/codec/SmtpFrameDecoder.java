package org.postlet.smtp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Splits the bytes of an SMTP connection into {@link SmtpFrame}s. It has two modes, switched by
 * the session on the event loop:
 *
 * <ul>
 *   <li><b>command mode</b> (the initial mode) emits one {@link SmtpFrame.CommandLine} per line.
 *       A line ends with CRLF; a bare LF is also accepted, as Postfix does, because people type
 *       commands by hand. A line longer than {@value #MAX_COMMAND_LINE} octets including the line
 *       ending (RFC 5321 §4.5.3.1.4) is discarded up to its end and reported as
 *       {@link SmtpFrame.LineTooLong}, so the session can answer and go on.</li>
 *   <li><b>data mode</b> (after {@link #expectData()}) emits the message as
 *       {@link SmtpFrame.DataChunk}s, dot-unstuffed (RFC 5321 §4.5.2), and
 *       {@link SmtpFrame.EndOfData} on {@code <CRLF>.<CRLF>}, then returns to command mode by
 *       itself. The start of the data counts as the start of a line.</li>
 *   <li><b>chunk mode</b> (after {@link #expectChunk(long)}, for {@code BDAT}, RFC 3030) emits
 *       exactly the given number of octets as {@link SmtpFrame.DataChunk}s, untouched, then
 *       {@link SmtpFrame.EndOfChunk}, and returns to command mode by itself.</li>
 * </ul>
 *
 * <p>STARTTLS injection (CVE-2011-0411): when the session accepts STARTTLS it calls
 * {@link #discardBuffered()}, so plain-text bytes the client pipelined behind the command are
 * dropped and never read as commands of the encrypted session.
 *
 * <p>SMTP smuggling (CVE-2023-51764 and relatives): in data mode only CRLF ends a line, so only
 * {@code <CRLF>.<CRLF>} ends the message. Sequences such as {@code <LF>.<CRLF>} or
 * {@code <CR>.<CR>} are kept as message data, byte for byte; a command hidden behind them stays
 * inside the message and is never executed. A line of a single dot ended by a bare LF
 * ({@code <LF>.<LF>} or {@code <CRLF>.<LF>}, also at the start of the data) is what a client
 * that ends its lines with LF alone (e.g. plain {@code nc}) sends to end its message, and what a
 * smuggler sends to end one early: the decoder emits {@link SmtpFrame.BareLineFeedDot} and then
 * drops every byte that follows, for good, so nothing after it can be read as a command. The
 * session refuses the message and closes the connection.
 *
 * <p>The decoder emits at most one command frame per {@code decode} call, and
 * {@link ByteToMessageDecoder} passes each frame on before decoding more. So when the session
 * handles {@code DATA} and calls {@link #expectData()}, the very next byte is decoded as data.
 * For the same reason {@link #pause()} takes effect at once: the session uses it to hold
 * pipelined commands while a message is being committed.
 */
public final class SmtpFrameDecoder extends ByteToMessageDecoder {

    /** RFC 5321 §4.5.3.1.4: a command line is at most 512 octets including CRLF. */
    public static final int MAX_COMMAND_LINE = 512;

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte DOT = '.';
    /** How many octets of data are copied to the heap at once for scanning: a few TCP segments. */
    private static final int SCAN_WINDOW = 8192;
    /** How much a paused decoder holds before reading stops until {@link #resume()}. */
    static final int HELD_WHILE_PAUSED = 64 * 1024;

    private enum Mode { COMMAND, DATA, CHUNK, DISCARD }

    /** Where the data-mode scanner is, relative to the last CRLF. */
    private enum DataState {
        /** After CRLF, or at the start of the data. */
        LINE_START,
        /** After a bare LF: not a line start for SMTP, but a dot and LF here end an LF-only client's message. */
        BARE_LF,
        /** A dot just after a bare LF; it is data unless LF follows. */
        BARE_LF_DOT,
        /** Inside a line. */
        TEXT,
        /** Inside a line, just after CR. */
        CR_SEEN,
        /** A dot at the start of a line was consumed and not emitted (stuffing or terminator). */
        DOT_SEEN,
        /** A line-start dot followed by CR; the CR is held back until we know if LF follows. */
        DOT_CR_SEEN
    }

    private Mode mode = Mode.COMMAND;
    private DataState dataState = DataState.LINE_START;
    /** In command mode: the current line is too long and is being skipped up to its LF. */
    private boolean discardingLine;
    private boolean paused;
    /** The client closed its side while paused: the event waits until what it sent before is decoded. */
    private boolean inputShutdownHeld;
    /** In chunk mode: octets of the current BDAT chunk still to come. */
    private long chunkRemaining;
    private ChannelHandlerContext context;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.context = ctx;
        super.handlerAdded(ctx);
    }

    /** Switches to data mode: the next byte is the first byte of the message. Call on the event loop. */
    public void expectData() {
        mode = Mode.DATA;
        dataState = DataState.LINE_START;
    }

    /**
     * Switches to chunk mode: the next {@code size} octets are a BDAT chunk. Call on the event loop,
     * with {@code size > 0}; a chunk of 0 octets has no bytes to wait for and is the session's
     * business alone.
     */
    public void expectChunk(long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("a chunk to read has at least one octet, got " + size);
        }
        mode = Mode.CHUNK;
        chunkRemaining = size;
    }

    /**
     * Drops every byte received and not yet decoded. The session calls this when it accepts
     * STARTTLS: bytes pipelined after the command were sent in plain text and must never be
     * taken as part of the encrypted session. Call on the event loop.
     */
    public void discardBuffered() {
        ByteBuf held = internalBuffer();
        held.skipBytes(held.readableBytes());
        discardingLine = false;
    }

    /** Whether the decoder is in data mode. */
    public boolean inDataMode() {
        return mode == Mode.DATA;
    }

    /**
     * Stops emitting frames; received bytes are kept until {@link #resume()}. Reading goes on (turning
     * it off and on costs two system calls per message, and a client waiting for its reply sends
     * little) until more than {@link #HELD_WHILE_PAUSED} bytes are held. Call on the event loop.
     */
    public void pause() {
        paused = true;
    }

    /**
     * Emits frames again, starting with the bytes received while paused. Call on the event loop,
     * outside of this decoder's own frame delivery (e.g. from a task).
     */
    public void resume() {
        paused = false;
        if (context == null) {
            return;
        }
        Channel channel = context.channel();
        if (!channel.config().isAutoRead() && !(channel instanceof DuplexChannel d && d.isInputShutdown())) {
            channel.config().setAutoRead(true);
        }
        try {
            if (internalBuffer().isReadable()) {
                // Re-enter the decoder with nothing new: it decodes what it already holds and then
                // fires channelReadComplete, on which the session flushes its replies.
                channelRead(context, Unpooled.EMPTY_BUFFER);
                channelReadComplete(context);
            }
            // Those frames may have paused us again (another message to commit): the end of input
            // then waits for that one too.
            if (inputShutdownHeld && !paused) {
                inputShutdownHeld = false;
                super.userEventTriggered(context, ChannelInputShutdownEvent.INSTANCE);
            }
        } catch (Exception e) {
            context.fireExceptionCaught(e);
        }
    }

    /**
     * A client may pipeline its last commands and shut down its sending side at once ({@code nc -N},
     * scripts). The base decoder would then drop what it holds, and the session would never answer
     * commands it received before the end: while paused, the end of input waits for {@link #resume()}.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event == ChannelInputShutdownEvent.INSTANCE && paused) {
            inputShutdownHeld = true;
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (paused) {
            if (in.readableBytes() > HELD_WHILE_PAUSED && ctx.channel().config().isAutoRead()) {
                // A client pushing on while we wait: stop reading so it cannot make us buffer without bound.
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        switch (mode) {
            case COMMAND -> decodeCommand(in, out);
            case DATA -> decodeData(ctx, in, out);
            case CHUNK -> decodeChunk(in, out);
            case DISCARD -> in.skipBytes(in.readableBytes());
            default -> throw new IllegalStateException("unknown mode " + mode);
        }
    }

    private void decodeCommand(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int lf = in.indexOf(start, in.writerIndex(), LF);
        if (lf < 0) {
            // A line that has reached the limit without its LF can only end up too long: drop
            // what we have now so a client cannot make us buffer without bound.
            if (discardingLine || in.readableBytes() >= MAX_COMMAND_LINE) {
                discardingLine = true;
                in.skipBytes(in.readableBytes());
            }
            return;
        }
        in.readerIndex(lf + 1);
        if (discardingLine || lf + 1 - start > MAX_COMMAND_LINE) {
            discardingLine = false;
            out.add(SmtpFrame.LineTooLong.INSTANCE);
            return;
        }
        int end = lf > start && in.getByte(lf - 1) == CR ? lf - 1 : lf;
        out.add(new SmtpFrame.CommandLine(in.toString(start, end - start, StandardCharsets.UTF_8)));
    }

    private void decodeData(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int end = in.writerIndex();
        int segmentStart = in.readerIndex();
        // The bytes are scanned in a heap copy, a window at a time: reading a direct buffer byte by
        // byte costs a bounds- and session-checked call per byte, while one bulk copy is a memcpy
        // and an array is read in place. Frames still slice the original buffer, so nothing is
        // copied twice. The window is a pooled heap buffer: no new array per read.
        ByteBuf scratch = ctx.alloc().heapBuffer(Math.min(end - segmentStart, SCAN_WINDOW));
        try {
            decodeData(ctx, in, out, scratch.array(), scratch.arrayOffset(), scratch.capacity());
        } finally {
            scratch.release();
        }
    }

    private void decodeData(ChannelHandlerContext ctx, ByteBuf in, List<Object> out, byte[] window, int offset, int size) {
        int end = in.writerIndex();
        int segmentStart = in.readerIndex();
        for (int base = segmentStart; base < end; base += size) {
            int length = Math.min(size, end - base);
            in.getBytes(base, window, offset, length);
            int limit = offset + length;
            for (int j = offset; j < limit; j++) {
                if (dataState == DataState.TEXT) {
                    // Inside a line only CR and LF change the state: jump to the next one instead
                    // of running the state machine for every byte (most bytes of a message are here).
                    j = nextCrOrLf(window, j, limit);
                    if (j == limit) {
                        break;
                    }
                }
                int i = base + j - offset;
                byte b = window[j];
                switch (dataState) {
                    case LINE_START -> {
                        if (b == DOT) {
                            // The dot is either stuffing or part of the terminator: never data.
                            emit(in, segmentStart, i, out);
                            segmentStart = i + 1;
                            dataState = DataState.DOT_SEEN;
                        } else {
                            dataState = next(b);
                        }
                    }
                    case TEXT, CR_SEEN -> dataState = next(b);
                    case BARE_LF -> dataState = b == DOT ? DataState.BARE_LF_DOT : next(b);
                    case BARE_LF_DOT, DOT_SEEN -> {
                        if (b == LF) {
                            bareLineFeedDot(in, out);
                            return;
                        }
                        if (dataState == DataState.DOT_SEEN && b == CR) {
                            segmentStart = i + 1;
                            dataState = DataState.DOT_CR_SEEN;
                        } else {
                            // ".x": a leading dot after CRLF was stuffing, one after a bare LF is data; x is data.
                            dataState = next(b);
                        }
                    }
                    case DOT_CR_SEEN -> {
                        if (b == LF) {
                            // Everything before the terminator's dot has been emitted already.
                            in.readerIndex(i + 1);
                            mode = Mode.COMMAND;
                            dataState = DataState.LINE_START;
                            out.add(SmtpFrame.EndOfData.INSTANCE);
                            return;
                        }
                        // ".<CR>x" is a line starting with a stuffed dot: give back the held CR.
                        out.add(new SmtpFrame.DataChunk(ctx.alloc().buffer(1).writeByte(CR)));
                        segmentStart = i;
                        dataState = next(b);
                    }
                    default -> throw new IllegalStateException("unknown data state " + dataState);
                }
            }
        }
        emit(in, segmentStart, end, out);
        in.readerIndex(end);
    }

    /** The index of the first CR or LF in {@code bytes[from, to)}, or {@code to} if there is none. */
    private static int nextCrOrLf(byte[] bytes, int from, int to) {
        for (int j = from; j < to; j++) {
            byte b = bytes[j];
            if (b == CR || b == LF) {
                return j;
            }
        }
        return to;
    }

    /**
     * The state after byte {@code b} inside a line (or after CR): CR may begin a line end, LF after
     * CR ends the line, a bare LF leads to {@link DataState#BARE_LF}.
     */
    private DataState next(byte b) {
        if (b == CR) {
            return DataState.CR_SEEN;
        }
        if (b == LF) {
            return dataState == DataState.CR_SEEN ? DataState.LINE_START : DataState.BARE_LF;
        }
        return DataState.TEXT;
    }

    /** Reports the bare-LF end of data and reads nothing of this connection ever again. */
    private void bareLineFeedDot(ByteBuf in, List<Object> out) {
        in.skipBytes(in.readableBytes());
        mode = Mode.DISCARD;
        out.add(SmtpFrame.BareLineFeedDot.INSTANCE);
    }

    private void decodeChunk(ByteBuf in, List<Object> out) {
        int take = (int) Math.min(in.readableBytes(), chunkRemaining);
        if (take > 0) {
            out.add(new SmtpFrame.DataChunk(in.readRetainedSlice(take)));
            chunkRemaining -= take;
        }
        if (chunkRemaining == 0) {
            mode = Mode.COMMAND;
            out.add(SmtpFrame.EndOfChunk.INSTANCE);
        }
    }

    private static void emit(ByteBuf in, int from, int to, List<Object> out) {
        if (to > from) {
            out.add(new SmtpFrame.DataChunk(in.retainedSlice(from, to - from)));
        }
    }
}
