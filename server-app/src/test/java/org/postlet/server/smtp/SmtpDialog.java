package org.postlet.server.smtp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.postlet.testsupport.TrustingTls;

/**
 * One SMTP connection to a real server, as a client types it: plain, implicit TLS or upgraded with
 * STARTTLS, trusting the server's self-signed certificate. Replies are returned whole
 * ({@code "554 5.7.1 <v@external.test>: Relay access denied"}), multi-line ones joined by newlines.
 */
final class SmtpDialog implements AutoCloseable {

    private final Socket plain;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final String greeting;

    private SmtpDialog(Socket socket, boolean implicitTls) throws IOException {
        this.plain = socket;
        this.socket = implicitTls ? wrap(socket) : socket;
        this.in = this.socket.getInputStream();
        this.out = this.socket.getOutputStream();
        this.greeting = read();
        if (!greeting.startsWith("220 ")) {
            throw new IOException("greeting: " + greeting);
        }
    }

    /** Connects to 127.0.0.1. */
    static SmtpDialog connect(int port, boolean implicitTls) throws IOException {
        return connect(new InetSocketAddress("127.0.0.1", port), implicitTls);
    }

    static SmtpDialog connect(InetSocketAddress server, boolean implicitTls) throws IOException {
        Socket socket = new Socket();
        socket.connect(server, 5000);
        socket.setSoTimeout(10_000);
        return new SmtpDialog(socket, implicitTls);
    }

    /** Connects and says EHLO; on a STARTTLS listener upgrades first and says EHLO again, as a careful client does. */
    static SmtpDialog greeted(int port, String tls) throws IOException {
        SmtpDialog d = connect(port, tls.equals("implicit"));
        d.expect("EHLO client.example", "250");
        if (tls.equals("starttls")) {
            d.expect("STARTTLS", "220 2.0.0");
            d.handshake();
            d.expect("EHLO client.example", "250");
        }
        return d;
    }

    String greeting() {
        return greeting;
    }

    String command(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return read();
    }

    /** Sends a command and fails unless the reply starts with {@code prefix}. */
    String expect(String line, String prefix) throws IOException {
        String reply = command(line);
        if (!reply.startsWith(prefix)) {
            throw new AssertionError("'" + line + "' got '" + reply + "', expected " + prefix);
        }
        return reply;
    }

    /** AUTH PLAIN with an initial response; returns the reply. */
    String authPlain(String user, String password) throws IOException {
        String response = Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
        return command("AUTH PLAIN " + response);
    }

    /** Sends the message text (CRLF lines, no final dot) after DATA; returns the reply to the final dot. */
    String data(String message) throws IOException {
        expect("DATA", "354");
        StringBuilder b = new StringBuilder();
        for (String line : message.split("\r\n", -1)) {
            b.append(line.startsWith(".") ? "." : "").append(line).append("\r\n");
        }
        if (message.endsWith("\r\n")) {
            b.setLength(b.length() - 2);
        }
        return command(b + ".");
    }

    void handshake() throws IOException {
        socket = wrap(plain);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    private String read() throws IOException {
        List<String> lines = new ArrayList<>();
        String line;
        do {
            line = readLine();
            lines.add(line);
        } while (line.length() > 3 && line.charAt(3) == '-');
        return String.join("\n", lines);
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b == -1) {
                throw new IOException("connection closed after '" + line + "'");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    private static Socket wrap(Socket socket) throws IOException {
        SSLSocket tls = (SSLSocket) TrustingTls.client().getSocketFactory()
                .createSocket(socket, socket.getInetAddress().getHostAddress(), socket.getPort(), true);
        tls.setUseClientMode(true);
        tls.startHandshake();
        return tls;
    }


    @Override
    public void close() throws IOException {
        try {
            if (!socket.isClosed()) {
                out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException e) {
            // the server may have closed first; nothing to tell
        } finally {
            socket.close();
            plain.close();
        }
    }
}
