package org.postlet.mailets.delivery;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.postlet.outbound.client.DotStuffingOutputStream;

/**
 * A client's side of one LMTP connection (RFC 2033): greeting, LHLO, one transaction, QUIT.
 * Every command and the message go out with CRLF line ends; after DATA the server answers once
 * per accepted recipient. The whole session must end within its timeout, else the connection is
 * closed and the pending read fails.
 */
final class LmtpSession implements AutoCloseable {

    /** Longer reply lines are a broken server, not a reason to keep reading. */
    private static final int MAX_LINE = 4096;

    /** Where the LMTP server listens. */
    sealed interface Endpoint {
        SocketAddress address();

        /** A TCP port, e.g. Dovecot's {@code inet_listener lmtp}. */
        record Tcp(String host, int port) implements Endpoint {
            @Override
            public SocketAddress address() {
                return new InetSocketAddress(host, port);
            }

            @Override
            public String toString() {
                return host + ":" + port;
            }
        }

        /** A Unix socket, e.g. Dovecot's {@code /var/run/dovecot/lmtp}. */
        record Unix(Path path) implements Endpoint {
            @Override
            public SocketAddress address() {
                return UnixDomainSocketAddress.of(path);
            }

            @Override
            public String toString() {
                return "unix:" + path;
            }
        }
    }

    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;
    private final ScheduledFuture<?> deadline;

    private LmtpSession(SocketChannel channel, ScheduledExecutorService watchdog, Duration timeout) {
        this.channel = channel;
        this.in = new BufferedInputStream(Channels.newInputStream(channel));
        this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
        this.deadline = watchdog.schedule(this::abort, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Connects and reads the greeting, which must be 220.
     *
     * @param watchdog closes the connection when {@code timeout} has passed
     */
    static LmtpSession open(Endpoint endpoint, Duration timeout, ScheduledExecutorService watchdog) throws IOException, LmtpException {
        SocketChannel channel = endpoint instanceof Endpoint.Unix
                ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        LmtpSession session;
        try {
            // the connect itself is bounded by the deadline, set before it
            session = new LmtpSession(channel, watchdog, timeout);
            channel.connect(endpoint.address());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        LmtpReply greeting = session.read();
        if (greeting.code() != 220) {
            session.close();
            throw new LmtpException("LMTP server " + endpoint + " greeted with " + greeting, greeting);
        }
        return session;
    }

    /** Sends LHLO; returns the extensions the server named (upper case keywords). */
    List<String> lhlo(String hostname) throws IOException, LmtpException {
        LmtpReply reply = command("LHLO " + hostname);
        expect(reply, "LHLO");
        return List.of(reply.text().toUpperCase(java.util.Locale.ROOT).split(" "));
    }

    /** MAIL FROM; the empty sender is the null path {@code <>}. */
    void mailFrom(String sender, String parameters) throws IOException, LmtpException {
        expect(command("MAIL FROM:<" + sender + ">" + parameters), "MAIL FROM");
    }

    /** RCPT TO; the reply is the server's verdict on this recipient. */
    LmtpReply rcptTo(String recipient) throws IOException {
        return command("RCPT TO:<" + recipient + ">");
    }

    /**
     * DATA, the message, and one reply per recipient the server accepted at RCPT, in that order.
     *
     * @param accepted how many RCPTs were accepted (at least one)
     */
    List<LmtpReply> data(MessageWriter message, int accepted) throws IOException, LmtpException {
        LmtpReply go = command("DATA");
        if (go.code() != 354) {
            throw new LmtpException("LMTP server refused DATA: " + go, go);
        }
        DotStuffingOutputStream body = new DotStuffingOutputStream(out);
        message.writeTo(body);
        body.finish();
        List<LmtpReply> replies = new ArrayList<>(accepted);
        for (int i = 0; i < accepted; i++) {
            replies.add(read());
        }
        return replies;
    }

    /** Writes the message's bytes. */
    @FunctionalInterface
    interface MessageWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /** QUIT, politely; the answer does not matter any more. */
    void quit() {
        try {
            command("QUIT");
        } catch (IOException e) {
            // the transaction is over: a server that hangs up first loses nothing
        }
    }

    private LmtpReply command(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return read();
    }

    private static void expect(LmtpReply reply, String command) throws LmtpException {
        if (!reply.positive()) {
            throw new LmtpException("LMTP server refused " + command + ": " + reply, reply);
        }
    }

    /** Reads one reply, joining the lines of a multi-line one. */
    private LmtpReply read() throws IOException {
        StringBuilder text = new StringBuilder();
        while (true) {
            String line = readLine();
            if (line.length() < 3 || !Character.isDigit(line.charAt(0)) || !Character.isDigit(line.charAt(1))
                    || !Character.isDigit(line.charAt(2)) || line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-') {
                throw new IOException("not an LMTP reply line: '" + line + "'");
            }
            if (!text.isEmpty()) {
                text.append(' ');
            }
            text.append(line.length() > 4 ? line.substring(4) : "");
            if (line.length() == 3 || line.charAt(3) == ' ') {
                return new LmtpReply(Integer.parseInt(line.substring(0, 3)), text.toString());
            }
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.UTF_8);
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("LMTP reply line longer than " + MAX_LINE + " bytes");
            }
            line.write(b);
        }
        throw new IOException("the LMTP server closed the connection");
    }

    private void abort() {
        try {
            channel.close(); // a blocked read fails with AsynchronousCloseException
        } catch (IOException e) {
            // closing to give up: nothing more to do with it
        }
    }

    @Override
    public void close() throws IOException {
        deadline.cancel(false);
        channel.close();
    }

    /** The server refused the session or the transaction as a whole. */
    static final class LmtpException extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient LmtpReply reply;

        LmtpException(String message, LmtpReply reply) {
            super(message);
            this.reply = reply;
        }

        LmtpReply reply() {
            return reply;
        }
    }
}
