package org.postlet.smtp.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.postlet.mailet.MailAddress;
import org.postlet.smtp.auth.Credentials;
import org.postlet.smtp.auth.SaslExchange;
import org.postlet.smtp.auth.SaslMechanism;
import org.postlet.smtp.codec.SmtpFrame;
import org.postlet.smtp.codec.SmtpFrameDecoder;
import org.postlet.smtp.command.AsciiCase;
import org.postlet.smtp.command.Command;
import org.postlet.smtp.command.CommandException;
import org.postlet.smtp.command.EsmtpParameters;
import org.postlet.smtp.command.PathArgument;
import org.postlet.smtp.command.Reply;
import org.postlet.smtp.command.Verb;
import org.postlet.smtp.inbound.Envelope;
import org.postlet.smtp.inbound.IncomingMessage;
import org.postlet.smtp.inbound.MessageRefusedException;
import org.postlet.smtp.policy.Client;
import org.postlet.smtp.policy.Verdict;
import org.postlet.smtp.server.AuthMode;
import org.postlet.smtp.server.ListenerSettings;
import org.postlet.smtp.server.SmtpEvents;
import org.postlet.smtp.server.SmtpLimits;
import org.postlet.smtp.server.SmtpSettings;
import org.postlet.smtp.server.TlsMode;
import org.postlet.smtp.tls.TlsContext;
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
 * <p>While a message is committed to the queue or AUTH credentials are checked, the decoder is
 * paused, so commands the client pipelined wait and are answered in order.
 *
 * <p>STARTTLS (RFC 3207): bytes pipelined after the command are discarded, a TLS handler is put in
 * front of the pipeline, and the session starts over in {@link SessionState#CONNECTED} — the client
 * must say EHLO again and nothing of the plain-text session (HELO name, transaction) survives.
 * AUTH (RFC 4954) is offered on a STARTTLS or implicit-TLS listener only once TLS is active; on a
 * {@code tls: none} listener whose {@code auth} is not {@code none} it is offered in plain text,
 * because that listener says so (Postfix's default {@code smtpd_tls_auth_only = no}).
 */
public final class SmtpSessionHandler extends ChannelInboundHandlerAdapter {

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
            "Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH");
    private static final Reply AUTH_REQUIRED = Reply.of(530, "5.7.0", "Authentication required");
    private static final Reply STARTTLS_FIRST = Reply.of(530, "5.7.0", "Must issue a STARTTLS command first");
    private static final Reply NO_VALID_RECIPIENTS = Reply.of(554, "5.5.1", "Error: no valid recipients");
    private static final Reply TOO_MANY_RECIPIENTS = Reply.of(452, "4.5.3", "Error: too many recipients");
    private static final Reply NO_STORAGE = Reply.of(452, "4.3.1", "Insufficient system storage");
    private static final Reply QUEUE_WRITE_ERROR = Reply.of(451, "4.3.0", "Error: queue file write error");
    private static final Reply INTERNAL_ERROR = Reply.of(451, "4.3.0", "Error: internal error");
    private static final Reply MESSAGE_TOO_BIG =
            Reply.of(552, "5.3.4", "Message size exceeds fixed maximum message size");
    private static final Reply READY_FOR_TLS = Reply.of(220, "2.0.0", "Ready to start TLS");
    private static final Reply TLS_NOT_OFFERED = Reply.of(502, "5.5.1", "Error: command not implemented");
    private static final Reply TLS_ACTIVE = Reply.of(554, "5.5.1", "Error: TLS already active");
    private static final Reply AUTH_NOT_ENABLED = Reply.of(503, "5.5.1", "Error: authentication not enabled");
    private static final Reply ENCRYPTION_REQUIRED =
            Reply.of(538, "5.7.11", "Encryption required for requested authentication mechanism");
    private static final Reply ALREADY_AUTHENTICATED = Reply.of(503, "5.5.1", "Error: already authenticated");
    private static final Reply UNKNOWN_MECHANISM = Reply.of(504, "5.5.4", "Unrecognized authentication type");
    private static final Reply AUTH_SYNTAX = Reply.of(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]");
    private static final Reply AUTH_OK = Reply.of(235, "2.7.0", "Authentication successful");
    private static final Reply AUTH_FAILED = Reply.of(535, "5.7.8", "Error: authentication failed");
    private static final Reply AUTH_ABORTED = Reply.of(501, "5.0.0", "Authentication aborted");
    private static final Reply AUTH_UNAVAILABLE = Reply.of(454, "4.7.0", "Temporary authentication failure");
    private static final Reply TOO_MANY_AUTH_FAILURES_FROM_CLIENT =
            Reply.of(454, "4.7.0", "Too many failed authentications from your address; try again later");
    /**
     * Why a bare-LF dot is refused rather than taken as the end of data or kept as data: taking it
     * as the end would re-open SMTP smuggling (CVE-2023-51764); keeping it as data leaves a client
     * that ends lines with LF alone (plain nc) waiting for a reply that never comes and losing its
     * mail at the timeout. Refusing it (Postfix's "reject" stance) tells that client at once what
     * to do, and closing the connection means no byte after it is ever read as a command.
     */
    private static final Reply BARE_LF_DOT = Reply.of(554, "5.5.2",
            "Error: bare <LF> received; SMTP lines must end with <CR><LF> (use nc -C, telnet or swaks); message not accepted");
    private static final Reply BDAT_SYNTAX =
            Reply.of(501, "5.5.4", "Syntax: BDAT count [LAST]; closing, as the end of the chunk is unknown");

    /** BDAT's words and size, compiled once rather than per chunk. */
    private static final Pattern SPACES = Pattern.compile(" +");
    private static final Pattern CHUNK_SIZE = Pattern.compile("[0-9]{1,18}");

    private final SessionConfig config;
    private final SmtpSettings settings;
    private final SmtpLimits limits;
    private final ListenerSettings listener;
    private final SmtpFrameDecoder decoder;
    private final SessionTimeout timeout;
    private final ZoneId zone;

    private final Reply greeting;
    private final Reply shuttingDown;
    private final Reply timedOut;
    private final Reply tooManyErrors;
    private final Reply tooManyCommands;
    private final Reply tooManyAuthFailures;

    private ChannelHandlerContext ctx;
    private InetSocketAddress remote;
    /**
     * The client's address literal, e.g. {@code [192.0.2.1]}: built once per session, since the
     * connect, accept and disconnect lines and the Received header all name it.
     */
    private String clientLiteral;
    private SessionState state = SessionState.CONNECTED;
    private String heloName = "";
    private boolean extended;
    private Transaction transaction;
    private int consecutiveErrors;
    private int commands;
    private long connectedAt;
    private int messagesAccepted;
    private boolean shutdownRequested;
    /** The TLS protocol and cipher once a handshake has completed. */
    private Optional<String> tls = Optional.empty();
    private Optional<String> authenticatedUser = Optional.empty();
    private int authFailures;
    /** The running AUTH exchange while {@link SessionState#AUTHENTICATING}. */
    private SaslExchange exchange;
    /** Whether the BDAT chunk being read is the last one. */
    private boolean lastChunk;
    /** A refused BDAT's reply, sent once its chunk has been read and thrown away. */
    private Reply chunkRefusal;
    /** What a 4xx/5xx reply now refuses, for {@link SmtpEvents#rejected}; null when it is not worth a log line. */
    private String stage;
    /** The sender and recipient the command being answered names, for {@link SmtpEvents#rejected}. */
    private Optional<String> stageSender = Optional.empty();
    private Optional<String> stageRecipient = Optional.empty();
    /** The last command verb, for {@link SmtpEvents#connectionLost}. */
    private Verb lastVerb;

    /**
     * @param decoder the frame decoder in front of this handler, switched between modes here
     * @param timeout the timeout handler in front, switched between command and data timeout here
     */
    public SmtpSessionHandler(SessionConfig config, SmtpFrameDecoder decoder, SessionTimeout timeout) {
        this.config = config;
        this.settings = config.settings();
        this.limits = settings.limits();
        this.listener = config.listener();
        this.decoder = decoder;
        this.timeout = timeout;
        this.zone = ZoneId.systemDefault();
        String host = settings.hostname();
        this.greeting = Reply.plain(220, host + " ESMTP Postlet");
        this.shuttingDown = Reply.of(421, "4.3.2", host + " Service shutting down");
        this.timedOut = Reply.of(421, "4.4.2", host + " Error: timeout exceeded");
        this.tooManyErrors = Reply.of(421, "4.7.0", host + " Error: too many errors");
        this.tooManyCommands = Reply.of(421, "4.7.0", host + " Error: too many commands");
        this.tooManyAuthFailures = Reply.of(421, "4.7.0", host + " Error: too many failed authentication attempts");
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
        this.clientLiteral = ReceivedHeader.addressLiteral(remote);
        connectedAt = System.nanoTime();
        // At INFO a session is one line, written when it ends (with its length); a line at the start
        // too would make logging a fifth of the CPU of a busy server.
        LOG.debug("connect from {} on {}", clientLiteral, listener.name());
        config.events().connectionOpened(listener.name());
        // A crowded listener gives even the first command less time (stress mode).
        timeout.use(commandTimeout());
        // On an implicit-TLS listener the TLS handler holds this until the handshake is done.
        ctx.writeAndFlush(encode(greeting));
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (state == SessionState.CLOSING) {
                // Whatever a client pipelined behind the end of its session is dropped unread, and
                // unlogged: 10,000 lines after the limit must not make 10,000 log lines.
                return;
            }
            if (msg instanceof SmtpFrame.CommandLine line) {
                onLine(line.text());
            } else if (msg == SmtpFrame.LineTooLong.INSTANCE) {
                onLineTooLong();
            } else if (msg instanceof SmtpFrame.DataChunk chunk) {
                onData(chunk.content());
            } else if (msg == SmtpFrame.EndOfData.INSTANCE) {
                onEndOfData();
            } else if (msg == SmtpFrame.EndOfChunk.INSTANCE) {
                onEndOfChunk();
            } else if (msg == SmtpFrame.BareLineFeedDot.INSTANCE) {
                onBareLineFeedDot();
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
            // While committing or checking a password, the client is waiting for us.
            if (state != SessionState.COMMITTING && state != SessionState.CLOSING && !checkingCredentials()) {
                LOG.info("timeout after {} from {}", state, clientLiteral);
                closeWith(timedOut);
            }
        } else if (event == ShutdownRequest.INSTANCE) {
            shutdownRequested = true;
            if (state.inCommandMode() || state == SessionState.AUTHENTICATING && !checkingCredentials()) {
                closeWith(shuttingDown);
            }
            // Sessions in DATA, BDAT or committing finish their message; see finishTransaction.
        } else if (event instanceof SslHandshakeCompletionEvent handshake) {
            onHandshake(handshake);
        } else if (event == ChannelInputShutdownEvent.INSTANCE) {
            // The client will send nothing more and every command before its end has been answered
            // (the decoder holds the event while a commit is pending): close our side too. A message
            // cut short counts as a lost connection in channelInactive.
            if (state != SessionState.CLOSING) {
                ctx.flush();
                ctx.close();
            }
        } else {
            super.userEventTriggered(ctx, event);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (state == SessionState.RECEIVING_DATA || state == SessionState.RECEIVING_CHUNK
                || state == SessionState.CHUNKS_RECEIVED) {
            config.events().connectionLost(listener.name(), clientLiteral, lastVerb.name());
        }
        if (transaction != null && state != SessionState.COMMITTING) {
            // The client went away mid-transaction; a commit in progress is left to finish.
            transaction.abortMessage();
        }
        if (LOG.isInfoEnabled()) {
            LOG.info("disconnect from {} on {} after {} ms: {} command(s), {} message(s) accepted", clientLiteral,
                    listener.name(), (System.nanoTime() - connectedAt) / 1_000_000, commands, messagesAccepted);
        }
        config.events().connectionClosed(listener.name());
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            // A reset connection is common: build its line only when someone reads it.
            if (LOG.isDebugEnabled()) {
                LOG.debug("connection from {} failed: {}", clientLiteral, cause.toString());
            }
        } else if (cause instanceof DecoderException && cause.getCause() instanceof SSLException tlsProblem) {
            // A client speaking broken or refused TLS: its problem, not ours.
            LOG.info("TLS with {} failed: {}", clientLiteral, tlsProblem.getMessage());
        } else {
            LOG.warn("SMTP session with {} failed", remote, cause);
        }
        ctx.close();
    }

    private void onHandshake(SslHandshakeCompletionEvent handshake) {
        config.events().tlsHandshake(listener.name(), handshake.isSuccess());
        if (!handshake.isSuccess()) {
            LOG.info("TLS handshake with {} failed: {}", clientLiteral,
                    handshake.cause().toString());
            state = SessionState.CLOSING;
            ctx.close();
            return;
        }
        SslHandler handler = ctx.pipeline().get(SslHandler.class);
        tls = Optional.of(TlsContext.describe(handler.engine().getSession()));
        LOG.info("TLS from {} on {}: {}", clientLiteral, listener.name(), tls.get());
        timeout.use(commandTimeout());
    }

    // ---- commands -----------------------------------------------------------------------

    private void onLine(String line) {
        // Each command line has its own deadline; the bytes of a line do not extend it.
        timeout.use(commandTimeout());
        if (state != SessionState.AUTHENTICATING) {
            // Until the line is known to be a MAIL, RCPT, DATA, BDAT or AUTH, its refusal is no rejection to report.
            stage = null;
        }
        if (++commands > limits.commandsPerSession()) {
            LOG.info("too many commands from {}", clientLiteral);
            closeWith(tooManyCommands);
            return;
        }
        if (state == SessionState.AUTHENTICATING) {
            if (exchange != null) {
                authStep(exchange.respond(line));
            }
            return;
        }
        onCommandLine(line);
    }

    private void onLineTooLong() {
        timeout.use(commandTimeout());
        stage = null;
        if (state == SessionState.AUTHENTICATING && exchange != null) {
            exchange = null;
            state = SessionState.GREETED;
            reply(LINE_TOO_LONG);
        } else if (state.inCommandMode()) {
            reply(LINE_TOO_LONG);
        }
    }

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
        lastVerb = command.verb();
        stage = switch (command.verb()) {
            case MAIL, RCPT, DATA, BDAT, AUTH -> command.verb().name();
            default -> null;
        };
        stageSender = transaction == null ? Optional.empty() : Optional.of(senderPath(transaction));
        stageRecipient = Optional.empty();
        if (command.verb() == Verb.BDAT) {
            // A refused BDAT still has its chunk coming: bdat() reads and drops it before replying.
            bdat(command.argument());
            return;
        }
        Optional<Reply> refusal = state.refusal(command.verb(), extended);
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
                case STARTTLS -> startTls(command.argument());
                case AUTH -> auth(command.argument());
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
        // RFC 2034: no enhanced status codes on the EHLO reply.
        List<String> lines = new ArrayList<>(List.of(
                settings.hostname(),
                "PIPELINING",
                "SIZE " + settings.maxMessageSize(),
                "8BITMIME",
                "ENHANCEDSTATUSCODES",
                "SMTPUTF8",
                "DSN",
                "CHUNKING"));
        if (startTlsOffered()) {
            lines.add("STARTTLS");
        }
        if (authOffered()) {
            lines.add("AUTH PLAIN LOGIN");
        }
        reply(new Reply(250, "", lines));
    }

    private void mail(String argument) throws CommandException {
        PathArgument path;
        try {
            path = PathArgument.parse(argument, PathArgument.Kind.SENDER);
            stageSender = Optional.of(path.address().map(MailAddress::toPath).orElse("<>"));
        } catch (CommandException badPath) {
            path = null;
            if (!authMissing()) {
                throw badPath;
            }
        }
        // The sender is parsed first only so a refusal can name it: no authentication, no MAIL.
        if (authMissing()) {
            throw new CommandException(startTlsOffered() ? STARTTLS_FIRST : AUTH_REQUIRED);
        }
        Map<String, String> parameters = EsmtpParameters.checkMail(path.parameters(), settings.maxMessageSize());
        Verdict verdict;
        try {
            verdict = config.senderPolicy().check(client(), path.address());
        } catch (RuntimeException e) {
            LOG.warn("sender policy failed for {}", path.address().map(MailAddress::toPath).orElse("<>"), e);
            throw new CommandException(INTERNAL_ERROR);
        }
        if (verdict.kind() != Verdict.Kind.ACCEPT) {
            throw new CommandException(Reply.of(verdict.code(), verdict.enhancedCode(), verdict.text()));
        }
        if (!config.queue().hasRoomFor(declaredSize(parameters))) {
            throw new CommandException(NO_STORAGE);
        }
        transaction = new Transaction(path.address(), parameters);
        state = SessionState.SENDER_GIVEN;
        reply(SENDER_OK);
    }

    private boolean authMissing() {
        return listener.auth() == AuthMode.REQUIRED && authenticatedUser.isEmpty();
    }

    private static long declaredSize(Map<String, String> mailParameters) {
        try {
            return Long.parseLong(mailParameters.getOrDefault("SIZE", "0"));
        } catch (NumberFormatException e) {
            return 0; // checkMail already refused a malformed SIZE
        }
    }

    private void rcpt(String argument) throws CommandException {
        PathArgument path = PathArgument.parse(argument, PathArgument.Kind.RECIPIENT);
        Map<String, String> parameters = EsmtpParameters.checkRcpt(path.parameters());
        MailAddress address = path.postmaster() ? config.policy().postmaster(settings.hostname()) : path.address().orElseThrow();
        stageRecipient = Optional.of(address.toPath());
        state = SessionState.RECIPIENTS_GIVEN;
        if (transaction.recipientCount() >= settings.maxRecipients()) {
            // RFC 5321 §4.5.3.1.10: the client sends the rest in a new transaction. Up to the
            // overshoot limit these 452s are not errors that end the session, and only the first is logged.
            int overshoot = transaction.overshoot();
            send(TOO_MANY_RECIPIENTS, overshoot > limits.recipientOvershoot(), overshoot == 1);
            return;
        }
        Verdict verdict;
        try {
            verdict = config.policy().check(client(), address);
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
        openMessage();
        state = SessionState.RECEIVING_DATA;
        decoder.expectData();
        // The whole DATA phase must end within the data timeout.
        timeout.use(dataTimeout());
        reply(START_DATA);
        writeReceivedHeader();
    }

    /** Opens the transaction's message in the queue. */
    private void openMessage() throws CommandException {
        Envelope envelope = new Envelope(transaction.sender(), transaction.recipientAddresses(),
                transaction.mailParameters(), transaction.recipientParameters(), heloName, remote, authenticatedUser,
                tls, listener.name(), Instant.now());
        try {
            transaction.message(config.queue().open(envelope));
            transaction.receivedAt(envelope.receivedAt());
        } catch (IOException e) {
            LOG.warn("cannot queue a message from {}: {}", clientLiteral, e.toString());
            throw new CommandException(NO_STORAGE);
        } catch (RuntimeException e) {
            LOG.warn("cannot queue a message from {}", clientLiteral, e);
            throw new CommandException(INTERNAL_ERROR);
        }
    }

    private void writeReceivedHeader() {
        byte[] received = ReceivedHeader.build(heloName, clientLiteral, tls, settings.hostname(), protocolName(),
                transaction.message().id(), transaction.recipientAddresses(), transaction.receivedAt(), zone);
        transaction.addHeaderBytes(received.length);
        write(ByteBuffer.wrap(received));
    }

    /**
     * {@code BDAT size [LAST]} (RFC 3030). The chunk's octets follow the command whatever the reply,
     * so a refused BDAT reads and drops them first and replies after; a BDAT whose size cannot be
     * read leaves the end of the chunk unknown, and the connection is closed rather than taking
     * message bytes for commands.
     */
    private void bdat(String argument) {
        String[] words = argument.isEmpty() ? new String[0] : SPACES.split(argument);
        boolean syntaxOk = (words.length == 1 || words.length == 2 && AsciiCase.upper(words[1]).equals("LAST"))
                && CHUNK_SIZE.matcher(words[0]).matches();
        if (!syntaxOk) {
            LOG.info("malformed BDAT from {}: {}", clientLiteral, argument);
            closeWith(BDAT_SYNTAX);
            return;
        }
        long size = Long.parseLong(words[0]);
        boolean last = words.length == 2;
        Optional<Reply> refusal = state.refusal(Verb.BDAT, extended);
        if (refusal.isEmpty() && transaction.message() == null) {
            // The first chunk of this message.
            try {
                if (transaction.recipientCount() == 0) {
                    throw new CommandException(NO_VALID_RECIPIENTS);
                }
                openMessage();
                writeReceivedHeader();
            } catch (CommandException e) {
                refusal = Optional.of(e.reply());
            }
        }
        if (refusal.isPresent()) {
            chunkRefusal = refusal.get();
        } else {
            state = SessionState.RECEIVING_CHUNK;
            lastChunk = last;
        }
        timeout.use(dataTimeout());
        if (size == 0) {
            onEndOfChunk();
        } else {
            decoder.expectChunk(size);
        }
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

    // ---- STARTTLS -----------------------------------------------------------------------

    private boolean startTlsOffered() {
        return listener.tls() == TlsMode.STARTTLS && config.tls().isPresent() && tls.isEmpty() && !tlsStarting();
    }

    private boolean tlsStarting() {
        return ctx.pipeline().get(SslHandler.class) != null;
    }

    private void startTls(String argument) throws CommandException {
        if (listener.tls() != TlsMode.STARTTLS || config.tls().isEmpty()) {
            throw new CommandException(TLS_NOT_OFFERED);
        }
        if (tls.isPresent() || tlsStarting()) {
            throw new CommandException(TLS_ACTIVE);
        }
        if (!argument.isEmpty()) {
            throw new CommandException(Reply.of(501, "5.5.4", "Syntax: STARTTLS"));
        }
        // CVE-2011-0411: whatever the client pipelined after STARTTLS was sent in plain text and
        // must not become part of the encrypted session.
        decoder.discardBuffered();
        // RFC 3207 §4.2: the session starts over; the client must EHLO again.
        endTransaction();
        heloName = "";
        extended = false;
        state = SessionState.CONNECTED;
        consecutiveErrors = 0;
        // startTls = true: the 220 below is the one write that still goes out in plain text.
        ctx.pipeline().addFirst("tls", config.tls().orElseThrow().newHandler(ctx.alloc(), true));
        ctx.writeAndFlush(encode(READY_FOR_TLS));
    }

    // ---- AUTH ---------------------------------------------------------------------------

    /** AUTH is offered when the listener allows it and, on a TLS listener, once TLS is active. */
    private boolean authOffered() {
        return listener.auth() != AuthMode.NONE && authTransportOk();
    }

    private boolean authTransportOk() {
        return listener.tls() == TlsMode.NONE || tls.isPresent();
    }

    private boolean checkingCredentials() {
        return state == SessionState.AUTHENTICATING && exchange == null;
    }

    private void auth(String argument) throws CommandException {
        if (listener.auth() == AuthMode.NONE) {
            throw new CommandException(AUTH_NOT_ENABLED);
        }
        if (!authTransportOk()) {
            throw new CommandException(ENCRYPTION_REQUIRED);
        }
        if (authenticatedUser.isPresent()) {
            throw new CommandException(ALREADY_AUTHENTICATED);
        }
        String[] words = argument.isEmpty() ? new String[0] : argument.split(" +");
        if (words.length < 1 || words.length > 2) {
            throw new CommandException(AUTH_SYNTAX);
        }
        SaslMechanism mechanism = SaslMechanism.of(words[0]).orElseThrow(() -> new CommandException(UNKNOWN_MECHANISM));
        exchange = new SaslExchange(mechanism);
        state = SessionState.AUTHENTICATING;
        authStep(exchange.start(words.length == 2 ? Optional.of(words[1]) : Optional.empty()));
    }

    private void authStep(SaslExchange.Step step) {
        if (step instanceof SaslExchange.Challenge challenge) {
            reply(new Reply(334, "", List.of(challenge.base64())));
        } else if (step instanceof SaslExchange.Complete complete) {
            checkCredentials(complete.credentials());
        } else if (step instanceof SaslExchange.Malformed malformed) {
            endAuth();
            reply(Reply.of(501, "5.5.2", malformed.why()));
        } else {
            endAuth();
            reply(AUTH_ABORTED);
        }
    }

    private void endAuth() {
        exchange = null;
        if (state == SessionState.AUTHENTICATING) {
            state = SessionState.GREETED;
        }
    }

    private void checkCredentials(Credentials credentials) {
        exchange = null;
        pauseReading();
        CompletionStage<Optional<String>> check;
        // The attempt counts before the password is checked, so parallel sessions from one address
        // get no more checks than the limit; success or a failed check gives the count back.
        if (!config.authFailures().tryStart(remote.getAddress())) {
            // Not even checked: a right guess must look the same as a wrong one to this address now.
            LOG.info("AUTH from {} refused unchecked: too many failures from that address", clientLiteral);
            endAuth();
            reply(TOO_MANY_AUTH_FAILURES_FROM_CLIENT);
            resumeReading();
            return;
        }
        if (!credentials.authorizationId().isEmpty() && !credentials.authorizationId().equals(credentials.username())) {
            // No proxy authorization: acting as someone else is refused like a wrong password.
            check = CompletableFuture.completedFuture(Optional.empty());
        } else {
            try {
                check = config.authenticator().authenticate(credentials);
            } catch (RuntimeException e) {
                check = CompletableFuture.failedFuture(e);
            }
        }
        check.whenComplete((identity, failure) -> onEventLoop(() -> checked(credentials.username(), identity, failure)));
    }

    private void checked(String username, Optional<String> identity, Throwable failure) {
        if (!ctx.channel().isActive() || state != SessionState.AUTHENTICATING) {
            return;
        }
        stage = "AUTH";
        if (failure != null) {
            config.authFailures().unchecked(remote.getAddress());
            LOG.warn("cannot check the password of {} from {}: {}", username, clientLiteral,
                    failure.toString());
            endAuth();
            reply(AUTH_UNAVAILABLE);
            resumeReading();
            return;
        }
        if (identity.isPresent()) {
            config.events().authentication(listener.name(), true);
            config.authFailures().succeeded(remote.getAddress());
            authenticatedUser = identity;
            LOG.info("authenticated {} from {} on {}", identity.get(), clientLiteral,
                    listener.name());
            endAuth();
            reply(AUTH_OK);
            resumeReading();
            return;
        }
        authFailures++;
        config.events().authentication(listener.name(), false);
        LOG.info("authentication failed for {} from {} ({} of {})", username, clientLiteral,
                authFailures, limits.authFailures());
        // A growing delay before the answer makes guessing passwords slow.
        Duration delay = limits.authFailureDelay().multipliedBy(authFailures);
        ctx.executor().schedule(() -> {
            if (!ctx.channel().isActive()) {
                return;
            }
            endAuth();
            reply(AUTH_FAILED);
            if (authFailures >= limits.authFailures()) {
                closeWith(tooManyAuthFailures);
            } else {
                resumeReading();
            }
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    // ---- reading control ----------------------------------------------------------------

    /** Holds pipelined input while the session waits for something outside the event loop. */
    private void pauseReading() {
        decoder.pause();
    }

    /** Flushes the replies so far and reads on, or closes if the server is stopping. */
    private void resumeReading() {
        ctx.flush();
        if (shutdownRequested && state.inCommandMode()) {
            closeWith(shuttingDown);
            return;
        }
        if (state.inCommandMode()) {
            // The time spent committing or checking a password was ours, not the client's.
            timeout.use(commandTimeout());
            decoder.resume();
        }
    }

    /** Runs a task on this session's event loop, always as a new task (never re-entering the decoder). */
    private void onEventLoop(Runnable task) {
        try {
            ctx.executor().execute(task);
        } catch (RejectedExecutionException e) {
            LOG.warn("the server stopped before a session with {} could go on", clientLiteral);
        }
    }

    // ---- message data -------------------------------------------------------------------

    private void onData(ByteBuf bytes) {
        Transaction t = transaction;
        boolean receiving = state == SessionState.RECEIVING_DATA || state == SessionState.RECEIVING_CHUNK;
        // Bytes of a refused BDAT chunk land here too and are dropped.
        if (!receiving || t.oversized() || t.writeFailed()) {
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
            LOG.warn("cannot write message {} from {}: {}", t.message().id(), clientLiteral,
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
        timeout.use(commandTimeout());
        stage = "END-OF-MESSAGE";
        if (refusedAtEnd(transaction)) {
            return;
        }
        commit(transaction);
    }

    private void onBareLineFeedDot() {
        if (state != SessionState.RECEIVING_DATA) {
            return;
        }
        LOG.info("bare LF dot in DATA from {}: message refused, connection closed", clientLiteral);
        stage = "END-OF-MESSAGE";
        // The decoder reads nothing more; the transaction's message is aborted by closeWith.
        config.events().refused(listener.name(), BARE_LF_DOT.code(), BARE_LF_DOT.enhancedCode());
        reportRejection(BARE_LF_DOT);
        closeWith(BARE_LF_DOT);
    }

    private void onEndOfChunk() {
        // The decoder is in command mode again by itself.
        timeout.use(commandTimeout());
        if (chunkRefusal != null) {
            Reply refusal = chunkRefusal;
            chunkRefusal = null;
            reply(refusal);
            return;
        }
        if (state != SessionState.RECEIVING_CHUNK) {
            return;
        }
        Transaction t = transaction;
        if (lastChunk) {
            stage = "END-OF-MESSAGE";
        }
        if (refusedAtEnd(t)) {
            return;
        }
        if (lastChunk) {
            commit(t);
        } else {
            state = SessionState.CHUNKS_RECEIVED;
            reply(Reply.of(250, "2.0.0", "Ok: " + t.size() + " octets received"));
        }
    }

    /** Answers a message that went over the size limit or could not be written, and ends its transaction. */
    private boolean refusedAtEnd(Transaction t) {
        if (t.oversized()) {
            LOG.info("rejected message from {}: {} bytes exceed the limit of {}",
                    clientLiteral, t.size(), settings.maxMessageSize());
            reply(MESSAGE_TOO_BIG);
            finishTransaction();
            return true;
        }
        if (t.writeFailed()) {
            reply(QUEUE_WRITE_ERROR);
            finishTransaction();
            return true;
        }
        return false;
    }

    private void commit(Transaction t) {
        long started = System.nanoTime();
        state = SessionState.COMMITTING;
        pauseReading();
        IncomingMessage message = t.message();
        CompletionStage<Void> commit;
        try {
            commit = message.commit();
        } catch (RuntimeException e) {
            commit = CompletableFuture.failedFuture(e);
        }
        // Always a new task, even when the stage is already complete: the decoder must not be
        // re-entered from inside its own frame delivery.
        commit.whenComplete((ignored, failure) -> onEventLoop(() -> committed(t, message, failure, started)));
    }

    private void committed(Transaction t, IncomingMessage message, Throwable failure, long started) {
        t.message(null);
        if (failure == null) {
            messagesAccepted++;
            config.events().messageAccepted(listener.name(), t.storedSize(), Duration.ofNanos(System.nanoTime() - started));
            // size= is the message as stored (our Received header included): the size the pipeline logs too.
            LOG.info("accepted {} from={} to={} size={} client={} helo={} listener={}{}{}", message.id(),
                    senderPath(t), t.recipientAddresses(), t.storedSize(),
                    clientLiteral, heloName, listener.name(),
                    tls.map(v -> " tls=" + v.replace(' ', '/')).orElse(""),
                    authenticatedUser.map(u -> " sasl=" + u).orElse(""));
            reply(Reply.of(250, "2.0.0", "Ok: queued as " + message.id()));
        } else if (refusal(failure) != null) {
            Verdict v = refusal(failure).verdict();
            LOG.info("refused message {} from {} at the end of DATA: {}", message.id(), clientLiteral, refusal(failure).getMessage());
            stage = "END-OF-MESSAGE";
            reply(Reply.of(v.code(), v.enhancedCode(), v.text()));
        } else {
            LOG.warn("cannot commit message {} from {}: {}", message.id(), clientLiteral,
                    failure.toString());
            stage = "END-OF-MESSAGE";
            reply(QUEUE_WRITE_ERROR);
        }
        if (!ctx.channel().isActive()) {
            transaction = null;
            return;
        }
        finishTransaction();
        resumeReading();
    }

    /** The refusal of a message check behind a failed commit, or null when the commit failed otherwise. */
    private static MessageRefusedException refusal(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof MessageRefusedException r) {
                return r;
            }
        }
        return null;
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

    /** Ends the transaction of RSET, HELO, EHLO, STARTTLS and QUIT; commands never arrive while a message is open. */
    private void endTransaction() {
        if (transaction != null) {
            transaction.abortMessage();
            transaction = null;
        }
    }

    // ---- replies ------------------------------------------------------------------------

    /** Queues a reply for the next flush, counts consecutive errors and reports refusals. */
    private void reply(Reply reply) {
        send(reply, true, true);
    }

    /**
     * @param countsAsError whether an error reply counts towards {@link SmtpLimits#errorsPerSession()}
     * @param report        whether an error reply to a MAIL, RCPT, DATA, BDAT or AUTH is reported as a rejection
     */
    private void send(Reply reply, boolean countsAsError, boolean report) {
        if (state == SessionState.CLOSING) {
            return;
        }
        // No promise per reply: nothing waits on it, and a failed write reaches exceptionCaught.
        ctx.write(encode(reply), ctx.voidPromise());
        if (reply.isError()) {
            config.events().refused(listener.name(), reply.code(), reply.enhancedCode());
            if (report) {
                reportRejection(reply);
            }
        }
        if (!reply.isError()) {
            consecutiveErrors = 0;
        } else if (countsAsError && ++consecutiveErrors >= limits.errorsPerSession()) {
            LOG.info("too many errors from {}", clientLiteral);
            closeWith(tooManyErrors);
        }
    }

    private void reportRejection(Reply reply) {
        if (stage != null) {
            config.events().rejected(new SmtpEvents.Rejection(listener.name(), stage, clientLiteral,
                    reply.code(), reply.enhancedCode(), String.join(" ", reply.lines()), stageSender, stageRecipient,
                    extended ? "ESMTP" : "SMTP", heloName));
        }
    }

    private void closeWith(Reply reply) {
        if (state == SessionState.CLOSING) {
            return;
        }
        state = SessionState.CLOSING;
        endTransaction();
        ctx.writeAndFlush(encode(reply)).addListener(ChannelFutureListener.CLOSE);
    }

    private ByteBuf encode(Reply reply) {
        // Straight into a pooled buffer: no intermediate byte[] per reply.
        return ByteBufUtil.writeUtf8(ctx.alloc(), reply.encode());
    }

    /** The command timeout, or the shorter stress one while the listener is crowded. */
    private Duration commandTimeout() {
        return underStress(settings.commandTimeout(), limits.stressCommandTimeout());
    }

    /** The data timeout, or the shorter stress one while the listener is crowded. */
    private Duration dataTimeout() {
        return underStress(settings.dataTimeout(), limits.stressDataTimeout());
    }

    private Duration underStress(Duration configured, Duration stressed) {
        return stressed.compareTo(configured) < 0 && config.load().underStress() ? stressed : configured;
    }

    private static String senderPath(Transaction t) {
        return t.sender().map(MailAddress::toPath).orElse("<>");
    }

    private Client client() {
        return new Client(remote, heloName, authenticatedUser, listener.name());
    }

    /**
     * The WITH value of the Received header: SMTP after HELO; ESMTP or UTF8SMTP (RFC 6531) after
     * EHLO, with S for TLS and A for AUTH appended (RFC 3848), e.g. ESMTPSA.
     */
    private String protocolName() {
        if (!extended) {
            return "SMTP";
        }
        String base = transaction.mailParameters().containsKey("SMTPUTF8") ? "UTF8SMTP" : "ESMTP";
        return base + (tls.isPresent() ? "S" : "") + (authenticatedUser.isPresent() ? "A" : "");
    }
}
