package org.postlet.smtp.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;

/** A raw-socket SMTP client for tests: sends exact bytes, reads whole (multi-line) replies. */
public final class SmtpTestClient implements AutoCloseable {

    /** One reply as read from the wire. */
    public record Response(int code, List<String> lines) {
        /** The text of the last line after the code, e.g. {@code 2.1.0 Ok}. */
        public String text() {
            return lines.get(lines.size() - 1).substring(4);
        }

        @Override
        public String toString() {
            return String.join("\n", lines);
        }
    }

    private final int port;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    public SmtpTestClient(int port) throws IOException {
        this.port = port;
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(5000);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /**
     * Does the TLS handshake on the open connection (after the server's 220 to STARTTLS),
     * trusting any certificate, with the given protocols (none: the JDK's defaults).
     *
     * @return the TLS session's protocol, e.g. {@code TLSv1.3}
     */
    public String handshake(String... protocols) throws IOException {
        SSLSocket tls = (SSLSocket) TestTls.trustingClient().getSocketFactory()
                .createSocket(socket, "127.0.0.1", port, true);
        if (protocols.length > 0) {
            tls.setEnabledProtocols(protocols);
        }
        tls.startHandshake();
        socket = tls;
        in = new BufferedInputStream(tls.getInputStream());
        out = tls.getOutputStream();
        return tls.getSession().getProtocol();
    }

    /** The socket, for tests that write bytes no SMTP client would (e.g. a hand-made TLS record). */
    public Socket socket() {
        return socket;
    }

    /** Whether the server sends nothing within {@code millis}; consumes nothing if so. */
    public boolean silentFor(int millis) throws IOException {
        int old = socket.getSoTimeout();
        socket.setSoTimeout(millis);
        try {
            in.mark(1);
            in.read();
            in.reset();
            return false;
        } catch (java.net.SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(old);
        }
    }

    /** Sends the text as UTF-8, exactly as given (no line ending added). */
    public void send(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Sends one line with CRLF and reads the reply. */
    public Response command(String line) throws IOException {
        send(line + "\r\n");
        return read();
    }

    /** Reads one complete reply. */
    public Response read() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = readLine();
            if (line == null) {
                throw new IOException("connection closed after " + lines);
            }
            lines.add(line);
            if (line.length() < 4 || line.charAt(3) == ' ') {
                return new Response(Integer.parseInt(line.substring(0, 3)), lines);
            }
        }
    }

    /** Whether the server has closed the connection (reads to EOF). */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() == -1;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                if (bytes.length == 0 || bytes[bytes.length - 1] != '\r') {
                    throw new IOException("reply line without CRLF: " + line);
                }
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(b);
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
