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

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public SmtpTestClient(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(5000);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
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
