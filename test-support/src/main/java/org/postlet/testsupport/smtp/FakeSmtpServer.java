package org.postlet.testsupport.smtp;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A remote SMTP server for tests: it listens on an ephemeral loopback port, answers as scripted
 * and records every transaction it accepted (and every command it got). Thread per connection:
 * fine for tests, which is all this is for.
 *
 * <pre>{@code
 * try (FakeSmtpServer remote = FakeSmtpServer.builder()
 *         .rcptReply(r -> r.startsWith("nobody@") ? "550 5.1.1 no such user" : "250 2.1.5 ok")
 *         .start()) {
 *     ... deliver to 127.0.0.1:remote.port() ...
 *     assertThat(remote.messages()).hasSize(1);
 * }
 * }</pre>
 */
public final class FakeSmtpServer implements AutoCloseable {

    /** Named ways to misbehave. */
    public enum Failure {
        /** Behaves. */
        NONE,
        /** Answers the greeting with {@code 421 4.3.2 busy} and closes. */
        GREETING_421,
        /** Answers the greeting with {@code 554 5.7.1 go away} and closes. */
        GREETING_554,
        /** Accepts the connection and closes it at once, without a greeting. */
        DROP_AT_CONNECT,
        /**
         * Reads the whole message after DATA (or its last BDAT chunk), then closes without answering:
         * the client cannot know.
         */
        DROP_AFTER_DATA,
        /**
         * Accepts the first BDAT chunk, then reads half of the next one and closes: the client is cut
         * off while it sends.
         */
        DROP_IN_CHUNK,
        /**
         * Closes the connection right after refusing a BDAT chunk, without reading what follows: a
         * pipelining client still sending later chunks has its writes fail.
         */
        CLOSE_AFTER_REFUSED_CHUNK,
        /** Refuses EHLO with 502, so the client must fall back to HELO. */
        NO_EHLO
    }

    /**
     * A transaction the server accepted with a 250 after DATA or the last BDAT chunk.
     *
     * @param helo       the EHLO or HELO argument
     * @param mailFrom   the MAIL FROM command line, parameters included
     * @param recipients the recipients it accepted
     * @param content    the message with the dot-stuffing undone, as the wire carried it otherwise (CRLF);
     *                   after BDAT the chunks' bytes, joined
     * @param wire       the DATA bytes exactly as received, final dot line included; after BDAT the
     *                   chunks' bytes, joined (the same as {@code content})
     * @param tls        whether the session had switched to TLS with STARTTLS
     * @param user       who the client logged in as with AUTH, {@code ""} if it did not
     * @param chunks     the sizes of the BDAT chunks in order (RFC 3030), empty when it came after DATA
     */
    public record Message(String helo, String mailFrom, List<String> recipients, byte[] content, byte[] wire,
                          boolean tls, String user, List<Long> chunks) {

        public Message {
            chunks = List.copyOf(chunks);
        }

        /** Whether the message came in BDAT chunks rather than after DATA. */
        public boolean chunked() {
            return !chunks.isEmpty();
        }

        /** The content as text. */
        public String text() {
            return new String(content, StandardCharsets.UTF_8);
        }

        /** The sender in MAIL FROM without brackets ({@code ""} for the null sender). */
        public String sender() {
            int open = mailFrom.indexOf('<');
            int close = mailFrom.indexOf('>', open);
            return open < 0 || close < 0 ? "" : mailFrom.substring(open + 1, close);
        }
    }

    private final ServerSocket socket;
    private final List<String> ehloLines;
    private final Function<String, String> rcptReply;
    private final Function<String, String> mailReply;
    private final Function<Message, String> dataReply;
    private final Function<Long, String> chunkReply;
    private final Function<String, String> quitReply;
    private final Function<String, String> rsetReply;
    private final SSLContext tls;
    private final String[] login;
    private volatile Failure failure;
    private final List<Message> messages = new CopyOnWriteArrayList<>();
    private final List<String> commands = Collections.synchronizedList(new ArrayList<>());
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile int connections;

    private FakeSmtpServer(Builder b) throws IOException {
        this.socket = new ServerSocket();
        socket.setReuseAddress(true); // a test may restart a fake on the port of one it closed
        socket.bind(new InetSocketAddress(InetAddress.getByName(b.bind), b.port), 50);
        this.ehloLines = List.copyOf(b.extensions);
        this.rcptReply = b.rcptReply;
        this.mailReply = b.mailReply;
        this.dataReply = b.dataReply;
        this.chunkReply = b.chunkReply;
        this.quitReply = b.quitReply;
        this.rsetReply = b.rsetReply;
        this.tls = b.tls;
        this.login = b.login;
        this.failure = b.failure;
        this.acceptor = new Thread(this::accept, "fake-smtp-" + socket.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The port it listens on. */
    public int port() {
        return socket.getLocalPort();
    }

    /** Changes how it misbehaves from the next connection on. */
    public void failWith(Failure f) {
        this.failure = f;
    }

    /** The accepted messages so far. */
    public List<Message> messages() {
        return List.copyOf(messages);
    }

    /** Every command line received, in order, over all connections. */
    public List<String> commands() {
        synchronized (commands) {
            return List.copyOf(commands);
        }
    }

    /** How many connections it accepted. */
    public int connections() {
        return connections;
    }

    /** Waits until {@code count} messages arrived or {@code timeout} passed; returns the messages. */
    public List<Message> awaitMessages(int count, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (messages.size() < count && System.nanoTime() < end) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return messages();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                connections++;
                open.add(s);
                Thread t = new Thread(() -> serve(s), "fake-smtp-session");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket plain) {
        Socket s = plain;
        try (plain) {
            s.setSoTimeout(30_000);
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            boolean encrypted = false;
            String user = "";
            Failure f = failure;
            switch (f) {
                case DROP_AT_CONNECT -> {
                    return;
                }
                case GREETING_421 -> {
                    reply(out, "421 4.3.2 busy, try later");
                    return;
                }
                case GREETING_554 -> {
                    reply(out, "554 5.7.1 go away");
                    return;
                }
                default -> reply(out, "220 fake.test ESMTP");
            }
            String helo = "";
            String mailFrom = null;
            List<String> recipients = new ArrayList<>();
            ByteArrayOutputStream chunked = new ByteArrayOutputStream();
            List<Long> chunkSizes = new ArrayList<>();
            while (true) {
                String line = readLine(in);
                if (line == null) {
                    return;
                }
                commands.add(line);
                String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
                switch (verb) {
                    case "EHLO" -> {
                        if (f == Failure.NO_EHLO) {
                            reply(out, "502 5.5.1 EHLO not implemented");
                            continue;
                        }
                        helo = line.substring(4).strip();
                        List<String> lines = new ArrayList<>();
                        lines.add("fake.test");
                        lines.addAll(ehloLines);
                        if (tls != null && !encrypted) {
                            lines.add("STARTTLS");
                        }
                        if (login != null) {
                            lines.add("AUTH PLAIN LOGIN");
                        }
                        StringBuilder r = new StringBuilder();
                        for (int i = 0; i < lines.size(); i++) {
                            r.append("250").append(i == lines.size() - 1 ? " " : "-").append(lines.get(i));
                            if (i < lines.size() - 1) {
                                r.append("\r\n");
                            }
                        }
                        reply(out, r.toString());
                    }
                    case "HELO" -> {
                        helo = line.substring(4).strip();
                        reply(out, "250 fake.test");
                    }
                    case "MAIL" -> {
                        String r = mailReply.apply(line);
                        if (r.startsWith("2")) {
                            mailFrom = line;
                            recipients.clear();
                            chunked.reset();
                            chunkSizes.clear();
                        }
                        reply(out, r);
                    }
                    case "RCPT" -> {
                        if (mailFrom == null) {
                            reply(out, "503 5.5.1 MAIL first");
                            continue;
                        }
                        int open = line.indexOf('<');
                        int close = line.indexOf('>', open);
                        String address = line.substring(open + 1, close);
                        String r = rcptReply.apply(address);
                        if (r.startsWith("2")) {
                            recipients.add(address);
                        }
                        reply(out, r);
                    }
                    case "DATA" -> {
                        if (mailFrom == null || recipients.isEmpty()) {
                            reply(out, "554 5.5.1 no valid recipients");
                            continue;
                        }
                        reply(out, "354 go ahead");
                        byte[][] data = readData(in);
                        Message m = new Message(helo, mailFrom, List.copyOf(recipients), data[0], data[1], encrypted, user,
                                List.of());
                        if (f == Failure.DROP_AFTER_DATA) {
                            return;
                        }
                        String r = dataReply.apply(m);
                        if (r.startsWith("2")) {
                            messages.add(m);
                        }
                        mailFrom = null;
                        recipients.clear();
                        reply(out, r);
                    }
                    case "BDAT" -> {
                        // RFC 3030: the chunk's bytes follow the command line whatever the reply will be.
                        String[] words = line.strip().split(" +");
                        long size;
                        try {
                            size = Long.parseLong(words[1]);
                        } catch (RuntimeException e) {
                            reply(out, "501 5.5.4 syntax: BDAT count [LAST]");
                            return;
                        }
                        boolean last = words.length > 2 && words[2].equalsIgnoreCase("LAST");
                        if (f == Failure.DROP_IN_CHUNK && !chunkSizes.isEmpty()) {
                            in.readNBytes((int) (size / 2));
                            return;
                        }
                        byte[] chunk = in.readNBytes((int) size);
                        if (chunk.length < size) {
                            return;
                        }
                        if (last && f == Failure.DROP_AFTER_DATA) {
                            return; // even after a refused chunk, whose transaction a pipelining client still ends
                        }
                        if (!ehloLines.contains("CHUNKING")) {
                            reply(out, "502 5.5.1 BDAT not offered");
                            continue;
                        }
                        if (mailFrom == null || recipients.isEmpty()) {
                            reply(out, "503 5.5.1 no valid recipients");
                            continue;
                        }
                        if (!last) {
                            String r = chunkReply.apply(size);
                            if (r.startsWith("2")) {
                                chunked.write(chunk);
                                chunkSizes.add(size);
                            } else {
                                // RFC 3030 §2: a refused chunk fails the transaction.
                                mailFrom = null;
                                recipients.clear();
                                chunked.reset();
                                chunkSizes.clear();
                            }
                            reply(out, r);
                            if (!r.startsWith("2") && f == Failure.CLOSE_AFTER_REFUSED_CHUNK) {
                                return;
                            }
                            continue;
                        }
                        chunked.write(chunk);
                        chunkSizes.add(size);
                        byte[] content = chunked.toByteArray();
                        Message m = new Message(helo, mailFrom, List.copyOf(recipients), content, content, encrypted, user,
                                chunkSizes);
                        String r = dataReply.apply(m);
                        if (r.startsWith("2")) {
                            messages.add(m);
                        }
                        mailFrom = null;
                        recipients.clear();
                        chunked.reset();
                        chunkSizes.clear();
                        reply(out, r);
                    }
                    case "STARTTLS" -> {
                        if (tls == null || encrypted) {
                            reply(out, "502 5.5.1 no STARTTLS here");
                            continue;
                        }
                        reply(out, "220 2.0.0 go ahead");
                        SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(s, null, s.getPort(), true);
                        ssl.setUseClientMode(false);
                        ssl.startHandshake();
                        s = ssl;
                        in = new BufferedInputStream(ssl.getInputStream());
                        out = ssl.getOutputStream();
                        encrypted = true;
                        helo = "";
                        mailFrom = null;
                        recipients.clear();
                        chunked.reset();
                        chunkSizes.clear();
                    }
                    case "AUTH" -> {
                        String[] words = line.split(" ");
                        String given;
                        if (words.length > 2 && words[1].equalsIgnoreCase("PLAIN")) {
                            String[] parts = new String(Base64.getDecoder().decode(words[2]), StandardCharsets.UTF_8)
                                    .split("\0", -1);
                            given = parts.length == 3 ? parts[1] + "\0" + parts[2] : "";
                        } else if (words.length == 2 && words[1].equalsIgnoreCase("LOGIN")) {
                            reply(out, "334 VXNlcm5hbWU6");
                            String u = new String(Base64.getDecoder().decode(readLine(in)), StandardCharsets.UTF_8);
                            reply(out, "334 UGFzc3dvcmQ6");
                            String pw = new String(Base64.getDecoder().decode(readLine(in)), StandardCharsets.UTF_8);
                            given = u + "\0" + pw;
                        } else {
                            reply(out, "504 5.5.4 unknown mechanism");
                            continue;
                        }
                        if (login != null && given.equals(login[0] + "\0" + login[1])) {
                            user = login[0];
                            reply(out, "235 2.7.0 authenticated");
                        } else {
                            reply(out, "535 5.7.8 bad credentials");
                        }
                    }
                    case "RSET" -> {
                        mailFrom = null;
                        recipients.clear();
                        chunked.reset();
                        chunkSizes.clear();
                        reply(out, rsetReply.apply(line));
                    }
                    case "NOOP" -> reply(out, "250 2.0.0 ok");
                    case "QUIT" -> {
                        reply(out, quitReply.apply(line));
                        return;
                    }
                    default -> reply(out, "502 5.5.2 unknown command");
                }
            }
        } catch (IOException e) {
            // The client went away; what it completed is recorded.
        } finally {
            open.remove(plain);
        }
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.UTF_8);
            }
            line.write(b);
        }
        return null;
    }

    /** The content (unstuffed) and the wire bytes, up to and including CRLF.CRLF. */
    private static byte[][] readData(InputStream in) throws IOException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            wire.write(b);
            line.write(b);
            if (b == '\n') {
                byte[] l = line.toByteArray();
                line.reset();
                if (l.length == 3 && l[0] == '.' && l[1] == '\r') {
                    return new byte[][] {content.toByteArray(), wire.toByteArray()};
                }
                int skip = l.length > 0 && l[0] == '.' ? 1 : 0;
                content.write(l, skip, l.length - skip);
            }
        }
        throw new IOException("connection closed in DATA");
    }

    /** Closes every client connection, as a server does with idle ones, and goes on listening. */
    public void disconnectAll() throws IOException {
        for (Socket s : open) {
            s.close();
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Socket s : open) {
            s.close();
        }
    }

    /** How the server answers; every reply is a full line such as {@code 250 2.1.5 ok}. */
    public static final class Builder {
        private String bind = "127.0.0.1";
        private int port;
        private List<String> extensions = List.of("PIPELINING", "SIZE 10240000", "8BITMIME", "ENHANCEDSTATUSCODES");
        private Function<String, String> rcptReply = r -> "250 2.1.5 ok";
        private Function<String, String> mailReply = m -> "250 2.1.0 ok";
        private Function<Message, String> dataReply = m -> "250 2.0.0 queued as FAKE";
        private Function<Long, String> chunkReply = size -> "250 2.0.0 " + size + " octets received";
        private Function<String, String> quitReply = q -> "221 2.0.0 bye";
        private Function<String, String> rsetReply = q -> "250 2.0.0 ok";
        private SSLContext tls;
        private String[] login;
        private Failure failure = Failure.NONE;

        /** The address to listen on; default 127.0.0.1. */
        public Builder bind(String address) {
            this.bind = address;
            return this;
        }

        /** The port to listen on; default 0, any free one. Several fakes on 127.0.0.x may share one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * The EHLO keywords offered (default PIPELINING, SIZE 10240000, 8BITMIME, ENHANCEDSTATUSCODES);
         * {@code CHUNKING} among them makes it take BDAT (RFC 3030) and record the chunks.
         */
        public Builder extensions(String... lines) {
            this.extensions = List.of(lines);
            return this;
        }

        /** The reply to RCPT TO for an address. */
        public Builder rcptReply(Function<String, String> reply) {
            this.rcptReply = reply;
            return this;
        }

        /** The reply to a MAIL FROM command line. */
        public Builder mailReply(Function<String, String> reply) {
            this.mailReply = reply;
            return this;
        }

        /** The reply after the message's final dot (or its last BDAT chunk). */
        public Builder dataReply(Function<Message, String> reply) {
            this.dataReply = reply;
            return this;
        }

        /** The reply to a BDAT chunk that is not the last one, given its size. */
        public Builder chunkReply(Function<Long, String> reply) {
            this.chunkReply = reply;
            return this;
        }

        /** Offers STARTTLS with this server context (its key and certificate). */
        public Builder starttls(SSLContext context) {
            this.tls = context;
            return this;
        }

        /** Offers AUTH PLAIN and LOGIN, accepting only this user and password. */
        public Builder auth(String user, String password) {
            this.login = new String[] {user, password};
            return this;
        }

        /** The reply to RSET, which a client sends between two messages on one connection. */
        public Builder rsetReply(Function<String, String> reply) {
            this.rsetReply = reply;
            return this;
        }

        /** The reply to QUIT; a function that waits makes a server slow to let go of its client. */
        public Builder quitReply(Function<String, String> reply) {
            this.quitReply = reply;
            return this;
        }

        public Builder failure(Failure failure) {
            this.failure = failure;
            return this;
        }

        public FakeSmtpServer start() throws IOException {
            return new FakeSmtpServer(this);
        }
    }
}
