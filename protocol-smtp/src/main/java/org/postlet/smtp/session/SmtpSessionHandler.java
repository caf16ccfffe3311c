package org.postlet.smtp.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import org.postlet.mailet.MailAddress;
import org.postlet.smtp.codec.SmtpFrame;
import org.postlet.smtp.codec.SmtpFrameDecoder;
import org.postlet.smtp.command.Command;
import org.postlet.smtp.command.CommandException;
import org.postlet.smtp.command.EsmtpParameters;
import org.postlet.smtp.command.PathArgument;
import org.postlet.smtp.command.Reply;
import org.postlet.smtp.inbound.Envelope;
import org.postlet.smtp.inbound.InboundQueue;
import org.postlet.smtp.inbound.IncomingMessage;
import org.postlet.smtp.policy.Client;
import org.postlet.smtp.policy.RecipientPolicy;
import org.postlet.smtp.policy.Verdict;
import org.postlet.smtp.server.AuthMode;
import org.postlet.smtp.server.ListenerSettings;
import org.postlet.smtp.server.SmtpSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SMTP session: reads {@link SmtpFrame}s, runs the commands and writes replies. One instance
 * per connection; every method runs on the connection's event loop.
 *
 * <p>Replies are written as they are produced and flushed once per read (on
 * {@code channelReadComplete}) or when produced asynchronously, so a pipelining client
 * (RFC 2920) gets its replies in order and in few packets.
 *
 * <p>While a message is committed to the queue, the decoder is paused and reading stops, so
 * commands the client pipelined after the final dot wait and are answered after the 250.
 */
public final class SmtpSessionHandler extends ChannelInboundHandlerAdapter {

    /** Postfix's smtpd_hard_error_limit default is 20 as well. */
    public static final int MAX_CONSECUTIVE_ERRORS = 20;

    private static final Logger LOG = LoggerFactory.getLogger(SmtpSessionHandler.class);

    private static final Reply OK = Reply.of(250, "2.0.0", "Ok");
    private static final Reply SENDER_OK = Reply.of(250, "2.1.0", "Ok");
    private static final Reply RECIPIENT_OK = Reply.of(250, "2.1.5", "Ok");
    private static final Reply START_DATA = Reply.of(354, "", "End data with <CR><LF>.<CR><LF>");
    private static final Reply BYE = Reply.of(221, "2.0.0", "Bye");
    private static final Reply UNKNOWN_COMMAND = Reply.of(500, "5.5.2", "Error: command not recognized");
    private static final Reply LINE_TOO_LONG = Reply.of(500, "5.5.2", "Line too long");
    private static final Reply VRFY_ANSWER = Reply.of(252, "2.1.5", "Send some mail, I'll try my best");
    private static final Reply HELP = Reply.of(214, "2.0.0",
            "Commands: HELO EHLO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP");
    private static final Reply AUTH_REQUIRED = Reply.of(530, "5.7.0", "Authentication required");
    private static final Reply NO_VALID_RECIPIENTS = Reply.of(554, "5.5.1", "Error: no valid recipients");
    private static final Reply TOO_MANY_RECIPIENTS = Reply.of(452, "4.5.3", "Error: too many recipients");
    private static final Reply NO_STORAGE = Reply.of(452, "4.3.1", "Insufficient system storage");
    private static final Reply QUEUE_WRITE_ERROR = Reply.of(451, "4.3.0", "Error: queue file write error");
    private static final Reply INTERNAL_ERROR = Reply.of(451, "4.3.0", "Error: internal error");
    private static final Reply MESSAGE_TOO_BIG =
            Reply.of(552, "5.3.4", "Message size exceeds fixed maximum message size");

    private final SmtpSettings settings;
    private final ListenerSettings listener;
    private final InboundQueue queue;
    private final RecipientPolicy policy;
    private final SmtpFrameDecoder decoder;
    private final SessionTimeout timeout;
    private final ZoneId zone;

    private final Reply greeting;
    private final Reply shuttingDown;
    private final Reply timedOut;
    private final Reply tooManyErrors;

    private ChannelHandlerContext ctx;
    private InetSocketAddress remote;
    private SessionState state = SessionState.CONNECTED;
    private String heloName = "";
    private boolean extended;
    private Transaction transaction;
    private int consecutiveErrors;
    private int messagesAccepted;
    private boolean shutdownRequested;

    /**
     * @param decoder the frame decoder in front of this handler, switched between modes here
     * @param timeout the timeout handler in front, switched between command and data timeout here
     */
    public SmtpSessionHandler(SmtpSettings settings, ListenerSettings listener, InboundQueue queue,
                              RecipientPolicy policy, SmtpFrameDecoder decoder, SessionTimeout timeout) {
        this.settings = settings;
        this.listener = listener;
        this.queue = queue;
        this.policy = policy;
        this.decoder = decoder;
        this.timeout = timeout;
        this.zone = ZoneId.systemDefault();
        String host = settings.hostname();
        this.greeting = Reply.plain(220, host + " ESMTP Postlet");
        this.shuttingDown = Reply.of(421, "4.3.2", host + " Service shutting down");
        this.timedOut = Reply.of(421, "4.4.2", host + " Error: timeout exceeded");
        this.tooManyErrors = Reply.of(421, "4.7.0", host + " Error: too many errors");
    }

    /** The current state, for tests and diagnostics. */
    public SessionState state() {
        return state;
    }

    // ---- Netty events -------------------------------------------------------------------

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        this.remote = (InetSocketAddress) ctx.channel().remoteAddress();
        LOG.info("connect from {} on {}", ReceivedHeader.addressLiteral(remote), listener.name());
        ctx.writeAndFlush(encode(greeting));
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof SmtpFrame.CommandLine line) {
                onCommandLine(line.text());
            } else if (msg == SmtpFrame.LineTooLong.INSTANCE) {
                if (state.inCommandMode()) {
                    reply(LINE_TOO_LONG);
                }
            } else if (msg instanceof SmtpFrame.DataChunk chunk) {
                onData(chunk.content());
            } else if (msg == SmtpFrame.EndOfData.INSTANCE) {
                onEndOfData();
            } else {
                LOG.warn("unexpected message {} in SMTP session", msg.getClass().getName());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event == SessionTimeout.Expired.INSTANCE) {
            // While committing, the client is waiting for us, not the other way round.
            if (state != SessionState.COMMITTING && state != SessionState.CLOSING) {
                LOG.info("timeout after {} from {}", state, ReceivedHeader.addressLiteral(remote));
                closeWith(timedOut);
            }
        } else if (event == ShutdownRequest.INSTANCE) {
            shutdownRequested = true;
            if (state.inCommandMode()) {
                closeWith(shuttingDown);
            }
            // Sessions in DATA or committing finish their message; see finishTransaction.
        } else {
            super.userEventTriggered(ctx, event);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (transaction != null && state != SessionState.COMMITTING) {
            // The client went away mid-transaction; a commit in progress is left to finish.
            transaction.abortMessage();
        }
        LOG.info("disconnect from {} on {}: {} message(s) accepted", ReceivedHeader.addressLiteral(remote),
                listener.name(), messagesAccepted);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.debug("connection from {} failed: {}", ReceivedHeader.addressLiteral(remote), cause.toString());
        } else {
            LOG.warn("SMTP session with {} failed", remote, cause);
        }
        ctx.close();
    }

    // ---- commands -----------------------------------------------------------------------

    private void onCommandLine(String line) {
        if (!state.inCommandMode()) {
            return;
        }
        Optional<Command> parsed = Command.parse(line);
        if (parsed.isEmpty()) {
            reply(UNKNOWN_COMMAND);
            return;
        }
        Command command = parsed.get();
        Optional<Reply> refusal = state.refusal(command.verb());
        if (refusal.isPresent()) {
            reply(refusal.get());
            return;
        }
        try {
            switch (command.verb()) {
                case HELO -> hello(command.argument(), false);
                case EHLO -> hello(command.argument(), true);
                case MAIL -> mail(command.argument());
                case RCPT -> rcpt(command.argument());
                case DATA -> data(command.argument());
                case RSET -> reset();
                case NOOP -> reply(OK);
                case QUIT -> quit();
                case VRFY -> verify(command.argument());
                case HELP -> reply(HELP);
                default -> throw new IllegalStateException("unhandled verb " + command.verb());
            }
        } catch (CommandException e) {
            reply(e.reply());
        }
    }

    private void hello(String argument, boolean ehlo) throws CommandException {
        if (argument.isEmpty() || argument.codePoints().anyMatch(c -> c <= ' ' || Character.isISOControl(c))) {
            // The name goes into the Received header: no spaces or control characters.
            throw new CommandException(Reply.of(501, "5.5.4", "Syntax: " + (ehlo ? "EHLO" : "HELO") + " hostname"));
        }
        endTransaction();
        heloName = argument;
        extended = ehlo;
        state = SessionState.GREETED;
        if (!ehlo) {
            reply(Reply.plain(250, settings.hostname()));
            return;
        }
        // RFC 2034: no enhanced status codes on the EHLO reply. STARTTLS, AUTH and CHUNKING join
        // this list when they are implemented.
        reply(new Reply(250, "", List.of(
                settings.hostname(),
                "PIPELINING",
                "SIZE " + settings.maxMessageSize(),
                "8BITMIME",
                "ENHANCEDSTATUSCODES",
                "SMTPUTF8")));
    }

    private void mail(String argument) throws CommandException {
        if (listener.auth() == AuthMode.REQUIRED) {
            // AUTH is not implemented yet, so nobody can send on a listener that requires it.
            throw new CommandException(AUTH_REQUIRED);
        }
        PathArgument path = PathArgument.parse(argument, PathArgument.Kind.SENDER);
        Map<String, String> parameters = EsmtpParameters.checkMail(path.parameters(), settings.maxMessageSize());
        transaction = new Transaction(path.address(), parameters);
        state = SessionState.SENDER_GIVEN;
        reply(SENDER_OK);
    }

    private void rcpt(String argument) throws CommandException {
        PathArgument path = PathArgument.parse(argument, PathArgument.Kind.RECIPIENT);
        Map<String, String> parameters = EsmtpParameters.checkRcpt(path.parameters());
        MailAddress address = path.address().orElseThrow();
        state = SessionState.RECIPIENTS_GIVEN;
        if (transaction.recipientCount() >= settings.maxRecipients()) {
            throw new CommandException(TOO_MANY_RECIPIENTS);
        }
        Verdict verdict;
        try {
            verdict = policy.check(client(), address);
        } catch (RuntimeException e) {
            LOG.warn("recipient policy failed for {}", address, e);
            throw new CommandException(INTERNAL_ERROR);
        }
        if (verdict.kind() == Verdict.Kind.ACCEPT) {
            transaction.addRecipient(new Recipient(address, parameters));
            reply(RECIPIENT_OK);
        } else {
            reply(Reply.of(verdict.code(), verdict.enhancedCode(), verdict.text()));
        }
    }

    private void data(String argument) throws CommandException {
        if (!argument.isEmpty()) {
            throw new CommandException(Reply.of(501, "5.5.4", "Syntax: DATA"));
        }
        if (transaction.recipientCount() == 0) {
            throw new CommandException(NO_VALID_RECIPIENTS);
        }
        Instant receivedAt = Instant.now();
        Envelope envelope = new Envelope(transaction.sender(), transaction.recipientAddresses(),
                transaction.mailParameters(), transaction.recipientParameters(), heloName, remote, Optional.empty(),
                Optional.empty(), listener.name(), receivedAt);
        IncomingMessage message;
        try {
            message = queue.open(envelope);
        } catch (IOException e) {
            LOG.warn("cannot queue a message from {}: {}", ReceivedHeader.addressLiteral(remote), e.toString());
            throw new CommandException(NO_STORAGE);
        } catch (RuntimeException e) {
            LOG.warn("cannot queue a message from {}", ReceivedHeader.addressLiteral(remote), e);
            throw new CommandException(INTERNAL_ERROR);
        }
        transaction.message(message);
        state = SessionState.RECEIVING_DATA;
        decoder.expectData();
        timeout.use(settings.dataTimeout());
        reply(START_DATA);
        byte[] received = ReceivedHeader.build(heloName, remote, settings.hostname(), protocolName(),
                message.id(), transaction.recipientAddresses(), receivedAt, zone);
        write(ByteBuffer.wrap(received));
    }

    private void reset() {
        endTransaction();
        if (state != SessionState.CONNECTED) {
            state = SessionState.GREETED;
        }
        reply(OK);
    }

    private void quit() {
        state = SessionState.CLOSING;
        endTransaction();
        ctx.writeAndFlush(encode(BYE)).addListener(ChannelFutureListener.CLOSE);
    }

    private void verify(String argument) throws CommandException {
        if (argument.isEmpty()) {
            throw new CommandException(Reply.of(501, "5.5.4", "Syntax: VRFY address"));
        }
        // Never confirm or deny a user: that would help address harvesting.
        reply(VRFY_ANSWER);
    }

    // ---- message data -------------------------------------------------------------------

    private void onData(ByteBuf bytes) {
        Transaction t = transaction;
        if (state != SessionState.RECEIVING_DATA || t.oversized() || t.writeFailed()) {
            return;
        }
        t.addSize(bytes.readableBytes());
        if (t.size() > settings.maxMessageSize()) {
            // Keep reading to the end of the data, so the client sees the 552, but store nothing more.
            t.markOversized();
            t.abortMessage();
            return;
        }
        for (ByteBuffer buffer : bytes.nioBuffers()) {
            if (!write(buffer)) {
                return;
            }
        }
    }

    /** Writes to the open message; on failure aborts it and remembers to answer 451. */
    private boolean write(ByteBuffer buffer) {
        Transaction t = transaction;
        try {
            t.message().write(buffer);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot write message {} from {}: {}", t.message().id(), ReceivedHeader.addressLiteral(remote),
                    e.toString());
            t.markWriteFailed();
            t.abortMessage();
            return false;
        }
    }

    private void onEndOfData() {
        if (state != SessionState.RECEIVING_DATA) {
            return;
        }
        // The decoder is in command mode again by itself.
        timeout.use(settings.commandTimeout());
        Transaction t = transaction;
        if (t.oversized()) {
            LOG.info("rejected message from {}: {} bytes exceed the limit of {}",
                    ReceivedHeader.addressLiteral(remote), t.size(), settings.maxMessageSize());
            reply(MESSAGE_TOO_BIG);
            finishTransaction();
            return;
        }
        if (t.writeFailed()) {
            reply(QUEUE_WRITE_ERROR);
            finishTransaction();
            return;
        }
        state = SessionState.COMMITTING;
        decoder.pause();
        ctx.channel().config().setAutoRead(false);
        IncomingMessage message = t.message();
        CompletionStage<Void> commit;
        try {
            commit = message.commit();
        } catch (RuntimeException e) {
            commit = CompletableFuture.failedFuture(e);
        }
        commit.whenComplete((ignored, failure) -> {
            try {
                // Always a new task, even when the stage is already complete: the decoder must
                // not be re-entered from inside its own frame delivery.
                ctx.executor().execute(() -> committed(t, message, failure));
            } catch (RejectedExecutionException e) {
                LOG.warn("message {} committed after the server stopped; the client got no reply", message.id());
            }
        });
    }

    private void committed(Transaction t, IncomingMessage message, Throwable failure) {
        t.message(null);
        if (failure == null) {
            messagesAccepted++;
            LOG.info("accepted {} from={} rcpts={} size={} client={}", message.id(),
                    t.sender().map(MailAddress::toPath).orElse("<>"), t.recipientCount(), t.size(),
                    ReceivedHeader.addressLiteral(remote));
            reply(Reply.of(250, "2.0.0", "Ok: queued as " + message.id()));
        } else {
            LOG.warn("cannot commit message {} from {}: {}", message.id(), ReceivedHeader.addressLiteral(remote),
                    failure.toString());
            reply(QUEUE_WRITE_ERROR);
        }
        if (!ctx.channel().isActive()) {
            transaction = null;
            return;
        }
        ctx.flush();
        finishTransaction();
        if (state.inCommandMode()) {
            ctx.channel().config().setAutoRead(true);
            decoder.resume();
        }
    }

    /** Back to GREETED after a message, or closes if the server is shutting down. */
    private void finishTransaction() {
        transaction = null;
        if (state == SessionState.CLOSING) {
            return;
        }
        state = SessionState.GREETED;
        if (shutdownRequested) {
            closeWith(shuttingDown);
        }
    }

    /** Ends the transaction of RSET, HELO, EHLO and QUIT; commands never arrive while a message is open. */
    private void endTransaction() {
        if (transaction != null) {
            transaction.abortMessage();
            transaction = null;
        }
    }

    // ---- replies ------------------------------------------------------------------------

    /** Queues a reply for the next flush and counts consecutive errors. */
    private void reply(Reply reply) {
        ctx.write(encode(reply));
        if (!reply.isError()) {
            consecutiveErrors = 0;
        } else if (++consecutiveErrors >= MAX_CONSECUTIVE_ERRORS) {
            LOG.info("too many errors from {}", ReceivedHeader.addressLiteral(remote));
            closeWith(tooManyErrors);
        }
    }

    private void closeWith(Reply reply) {
        state = SessionState.CLOSING;
        endTransaction();
        ctx.writeAndFlush(encode(reply)).addListener(ChannelFutureListener.CLOSE);
    }

    private ByteBuf encode(Reply reply) {
        byte[] bytes = reply.encode().getBytes(StandardCharsets.UTF_8);
        return ctx.alloc().buffer(bytes.length).writeBytes(bytes);
    }

    private Client client() {
        return new Client(remote, heloName, Optional.empty(), listener.name());
    }

    /** The WITH value of the Received header (RFC 3848, RFC 6531). */
    private String protocolName() {
        if (!extended) {
            return "SMTP";
        }
        return transaction.mailParameters().containsKey("SMTPUTF8") ? "UTF8SMTP" : "ESMTP";
    }
}
