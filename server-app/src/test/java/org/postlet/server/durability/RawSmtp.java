package org.postlet.server.durability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A minimal SMTP client that reports the server's exact reply at every step, so a test can tell
 * a 250 from a 4xx and from a dropped connection. One instance is one connection; not thread-safe.
 */
public final class RawSmtp implements AutoCloseable {

    /** The outcome of one message: the reply code and text of the step that decided it. */
    public record Outcome(String step, int code, String text) {
        public boolean accepted() {
            return step.equals("end of data") && code == 250;
        }

        @Override
        public String toString() {
            return step + ": " + code + " " + text;
        }
    }

    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;

    public RawSmtp(int port, int timeoutMillis) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
        out = socket.getOutputStream();
        String[] greeting = reply();
        if (!greeting[0].equals("220")) {
            throw new IOException("greeting " + String.join(" ", greeting));
        }
        command("EHLO client.example");
    }

    /**
     * Sends one message (CRLF line endings, without the terminating dot; dot-stuffing is done
     * here). Returns the outcome; an IOException means the connection broke and the outcome is
     * unknown (the message may or may not have been accepted).
     */
    public Outcome send(String from, List<String> to, String message) throws IOException {
        return send(from, to, message, "");
    }

    /**
     * Like {@link #send(String, List, String)} with ESMTP parameters for MAIL FROM (e.g.
     * {@code " BODY=8BITMIME"}); the message's chars U+0000-U+00FF are sent as one octet each.
     */
    public Outcome send(String from, List<String> to, String message, String mailParameters) throws IOException {
        String[] r = command("MAIL FROM:<" + from + ">" + mailParameters);
        if (!r[0].equals("250")) {
            return new Outcome("MAIL", Integer.parseInt(r[0]), r[1]);
        }
        int okRecipients = 0;
        for (String rcpt : to) {
            r = command("RCPT TO:<" + rcpt + ">");
            if (r[0].equals("250")) {
                okRecipients++;
            } else if (r[0].startsWith("4") || r[0].startsWith("5")) {
                command("RSET");
                return new Outcome("RCPT", Integer.parseInt(r[0]), r[1]);
            }
        }
        if (okRecipients == 0) {
            return new Outcome("RCPT", 554, "no recipients");
        }
        r = command("DATA");
        if (!r[0].equals("354")) {
            command("RSET"); // a refused DATA leaves the transaction open; start the next one clean
            return new Outcome("DATA", Integer.parseInt(r[0]), r[1]);
        }
        StringBuilder data = new StringBuilder(message.length() + 64);
        for (String line : message.split("\r\n", -1)) {
            data.append(line.startsWith(".") ? "." : "").append(line).append("\r\n");
        }
        if (message.endsWith("\r\n")) {
            data.setLength(data.length() - 2); // split gave a trailing empty element
        }
        data.append(".\r\n");
        out.write(data.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        r = reply();
        return new Outcome("end of data", Integer.parseInt(r[0]), r[1]);
    }

    private String[] command(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return reply();
    }

    /** Reads a (possibly multi-line) reply; returns {code, text of the last line}. */
    private String[] reply() throws IOException {
        while (true) {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed by the server");
            }
            if (line.length() < 3) {
                throw new IOException("malformed reply: " + line);
            }
            if (line.length() == 3 || line.charAt(3) == ' ') {
                return new String[] {line.substring(0, 3), line.length() > 4 ? line.substring(4) : ""};
            }
        }
    }

    @Override
    public void close() {
        try {
            if (!socket.isClosed()) {
                socket.setSoTimeout(2000);
                out.write("QUIT\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        } catch (IOException ignored) {
            // the server may be gone; closing the socket is all that matters
        } finally {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing left to do
            }
        }
    }
}
