package org.postlet.outbound.client;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One blocking SMTP connection to a remote server: commands out, replies in. It knows the syntax
 * of the conversation, not its order; {@link SmtpSession} drives it. Replies longer than
 * {@link #MAX_LINE} bytes a line or {@link #MAX_LINES} lines are a protocol error.
 */
public final class SmtpConnection implements Closeable {

    static final int MAX_LINE = 4096;
    static final int MAX_LINES = 200;

    private final InetSocketAddress remote;
    private final String remoteName;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private boolean tls;

    private SmtpConnection(Socket socket, InetSocketAddress remote, String remoteName) throws IOException {
        this.remote = remote;
        this.remoteName = remoteName;
        attach(socket);
    }

    /**
     * Connects to {@code remote}.
     *
     * @param remoteName    the host name it was found under (for TLS and log lines)
     * @param replyTimeout  the longest wait for any reply
     * @throws IOException when the connection cannot be made
     */
    public static SmtpConnection open(InetSocketAddress remote, String remoteName, Duration connectTimeout,
                                      Duration replyTimeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(remote, (int) connectTimeout.toMillis());
            socket.setSoTimeout((int) replyTimeout.toMillis());
            socket.setTcpNoDelay(true);
            return new SmtpConnection(socket, remote, remoteName);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private void attach(Socket s) throws IOException {
        this.socket = s;
        this.in = new BufferedInputStream(s.getInputStream(), 8192);
        this.out = new BufferedOutputStream(s.getOutputStream(), 65536);
    }

    /** {@code host[ip]:port}, as in Postfix's log lines. */
    public String describe() {
        return remoteName + "[" + remote.getAddress().getHostAddress() + "]:" + remote.getPort();
    }

    /** The host name the connection was made to. */
    public String remoteName() {
        return remoteName;
    }

    /** Whether STARTTLS succeeded on this connection. */
    public boolean encrypted() {
        return tls;
    }

    /** Queues a command line; CR and LF in it are refused, so no command can carry another. */
    public void send(String command) throws IOException {
        if (command.indexOf('\r') >= 0 || command.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("an SMTP command must be one line: " + command);
        }
        out.write(command.getBytes(StandardCharsets.UTF_8));
        out.write('\r');
        out.write('\n');
    }

    /** Sends the queued commands. */
    public void flush() throws IOException {
        out.flush();
    }

    /** Sends one command and reads its reply. */
    public Reply command(String command) throws IOException {
        send(command);
        flush();
        return read();
    }

    /** The raw stream for the message: after DATA wrapped in a {@link DotStuffingOutputStream}, after BDAT its chunks. */
    public OutputStream body() {
        return out;
    }

    /** Reads one (possibly multi-line) reply. */
    public Reply read() throws IOException {
        List<String> lines = new ArrayList<>();
        int code = -1;
        while (true) {
            String line = readLine();
            if (line.length() < 3 || !Character.isDigit(line.charAt(0)) || !Character.isDigit(line.charAt(1))
                    || !Character.isDigit(line.charAt(2)) || (line.length() > 3 && line.charAt(3) != '-' && line.charAt(3) != ' ')) {
                throw new SmtpProtocolException(describe() + " sent a malformed reply line: " + printable(line));
            }
            int lineCode = Integer.parseInt(line.substring(0, 3));
            if (code >= 0 && lineCode != code) {
                throw new SmtpProtocolException(describe() + " changed the code within a reply: " + printable(line));
            }
            code = lineCode;
            lines.add(line.length() > 4 ? line.substring(4) : "");
            if (line.length() == 3 || line.charAt(3) == ' ') {
                return new Reply(code, lines);
            }
            if (lines.size() >= MAX_LINES) {
                throw new SmtpProtocolException(describe() + " sent a reply of more than " + MAX_LINES + " lines");
            }
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new SmtpProtocolException(describe() + " closed the connection");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            if (line.size() >= MAX_LINE) {
                throw new SmtpProtocolException(describe() + " sent a reply line longer than " + MAX_LINE + " bytes");
            }
            line.write(b);
        }
    }

    /**
     * Turns the connection into TLS after a 220 to STARTTLS (RFC 3207).
     *
     * @param factory      the TLS settings: trusting any certificate for opportunistic TLS, or verifying
     * @param verifyName   whether the certificate must name {@link #remoteName()}
     */
    public void startTls(SSLSocketFactory factory, boolean verifyName) throws IOException {
        // Anything the server sent after its 220 would be read as a reply inside TLS (RFC 3207 §6).
        if (in.available() > 0) {
            throw new SmtpProtocolException(describe() + " sent data after its 220 to STARTTLS");
        }
        SSLSocket ssl = (SSLSocket) factory.createSocket(socket, remoteName, remote.getPort(), true);
        SSLParameters parameters = ssl.getSSLParameters();
        if (verifyName) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        ssl.setSSLParameters(parameters);
        ssl.setUseClientMode(true);
        ssl.startHandshake();
        attach(ssl);
        tls = true;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private static String printable(String line) {
        String cut = line.length() > 200 ? line.substring(0, 200) + "…" : line;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
