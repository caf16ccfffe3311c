package org.postlet.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.postlet.smtp.testing.RecordingQueue.Stored;
import org.postlet.smtp.testing.SmtpTestClient;
import org.postlet.smtp.testing.SmtpTestClient.Response;
import org.postlet.smtp.testing.SmtpTestServer;
import org.postlet.smtp.testing.TestTls;
import org.postlet.smtp.testing.TlsProbe;

/** STARTTLS (RFC 3207) and implicit TLS (RFC 8314) with real handshakes. */
class StartTlsTest {

    private static SmtpTestServer starttls() throws Exception {
        return SmtpTestServer.builder().tls(TlsMode.STARTTLS).auth(AuthMode.OPTIONAL).start();
    }

    @Test
    void starttlsIsOfferedBeforeTlsAndAuthOnlyAfter() throws Exception {
        try (SmtpTestServer server = starttls(); SmtpTestClient client = server.connect()) {
            Response before = client.command("EHLO client.example");
            assertThat(before.lines()).anyMatch(l -> l.endsWith("STARTTLS")).noneMatch(l -> l.contains("AUTH"));
            assertThat(client.command("AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=").toString())
                    .isEqualTo("538 5.7.11 Encryption required for requested authentication mechanism");
            assertThat(client.command("STARTTLS")).hasToString("220 2.0.0 Ready to start TLS");
            client.handshake();
            Response after = client.command("EHLO client.example");
            assertThat(after.lines()).noneMatch(l -> l.contains("STARTTLS")).anyMatch(l -> l.endsWith("AUTH PLAIN LOGIN"));
            assertThat(client.command("STARTTLS").toString()).isEqualTo("554 5.5.1 Error: TLS already active");
        }
    }

    @Test
    void messageOverTlsRecordsTheCipherAndSaysEsmtps() throws Exception {
        try (SmtpTestServer server = starttls(); SmtpTestClient client = server.connect()) {
            client.command("EHLO client.example");
            client.command("STARTTLS");
            assertThat(client.handshake("TLSv1.3")).isEqualTo("TLSv1.3");
            client.command("EHLO client.example");
            client.command("MAIL FROM:<user1@example.com>");
            client.command("RCPT TO:<alice@example.test>");
            client.command("DATA");
            client.send("Subject: secret\r\n\r\nover TLS\r\n");
            assertThat(client.command(".").code()).isEqualTo(250);
            Stored stored = server.queue().await(1).get(0);
            assertThat(stored.envelope().tls()).hasValueSatisfying(t -> assertThat(t).matches("TLSv1\\.3 TLS_\\w+"));
            assertThat(stored.envelope().authenticatedUser()).isEmpty();
            assertThat(stored.text()).contains("\r\n\t(using TLSv1.3 with cipher TLS_").contains(" with ESMTPS id ");
        }
    }

    /** CVE-2011-0411: commands pipelined behind STARTTLS in the same packet are never executed. */
    @Test
    void commandsInjectedBehindStarttlsAreDiscardedAndTheSessionStartsOver() throws Exception {
        try (SmtpTestServer server = starttls(); SmtpTestClient client = server.connect()) {
            client.command("EHLO client.example");
            client.send("STARTTLS\r\nMAIL FROM:<evil@example.com>\r\nRCPT TO:<alice@example.test>\r\nRSET\r\n");
            assertThat(client.read()).hasToString("220 2.0.0 Ready to start TLS");
            client.handshake();
            // Nothing answers the injected commands, inside TLS or out.
            assertThat(client.silentFor(300)).isTrue();
            // The plain-text EHLO is forgotten: no sender, no greeting survives the handshake.
            assertThat(client.command("MAIL FROM:<user1@example.com>").toString())
                    .isEqualTo("503 5.5.1 Error: send HELO/EHLO first");
            assertThat(client.command("RCPT TO:<alice@example.test>").code()).isEqualTo(503);
            assertThat(client.command("EHLO client.example").code()).isEqualTo(250);
            assertThat(client.command("RCPT TO:<alice@example.test>").toString())
                    .isEqualTo("503 5.5.1 Error: need MAIL command");
        }
    }

    @Test
    void starttlsInsideATransactionOrWithAnArgumentIsRefused() throws Exception {
        try (SmtpTestServer server = starttls(); SmtpTestClient client = server.connect()) {
            client.command("EHLO client.example");
            assertThat(client.command("STARTTLS now").code()).isEqualTo(501);
            client.command("MAIL FROM:<user1@example.com>");
            assertThat(client.command("STARTTLS").toString()).isEqualTo("503 5.5.1 Error: MAIL transaction in progress");
        }
    }

    @Test
    void starttlsOnAPlainListenerIsNotImplemented() throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().start(); SmtpTestClient client = server.connect()) {
            assertThat(client.command("EHLO client.example").lines()).noneMatch(l -> l.contains("STARTTLS"));
            assertThat(client.command("STARTTLS").toString()).isEqualTo("502 5.5.1 Error: command not implemented");
        }
    }

    @Test
    void tls12AndTls13AreAccepted() throws Exception {
        try (SmtpTestServer server = starttls()) {
            for (String protocol : new String[] {"TLSv1.2", "TLSv1.3"}) {
                try (SmtpTestClient client = server.connect()) {
                    client.command("EHLO client.example");
                    client.command("STARTTLS");
                    assertThat(client.handshake(protocol)).isEqualTo(protocol);
                    assertThat(client.command("NOOP").code()).isEqualTo(250);
                }
            }
        }
    }

    /** A TLS 1.2 client offering only CBC suites finds no common cipher: handshake_failure. */
    @Test
    void cbcOnlyClientHelloIsRefused() throws Exception {
        try (SmtpTestServer server = starttls(); SmtpTestClient client = server.connect()) {
            client.command("EHLO client.example");
            client.command("STARTTLS");
            byte[] answer = rawHandshake(client, clientHello(0x0303, 0xC013, 0xC014, 0x002F, 0x0035, 0x000A));
            assertRefused(answer);
        }
    }

    @Test
    void enabledSuitesAreAeadOnly() {
        assertThat(TestTls.serverContext().cipherSuites()).isNotEmpty()
                .allMatch(s -> s.contains("_GCM_") || s.contains("CHACHA20"))
                .noneMatch(s -> s.contains("CBC") || s.contains("RC4") || s.contains("3DES") || s.contains("NULL")
                        || s.contains("anon") || s.contains("EXPORT"));
    }

    @Test
    void implicitTlsGreetsOnlyAfterTheHandshake() throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().tls(TlsMode.IMPLICIT).auth(AuthMode.OPTIONAL).start();
             SSLSocket socket = (SSLSocket) TestTls.trustingClient().getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            socket.setSoTimeout(5000);
            socket.startHandshake();
            String greeting = readLine(socket.getInputStream());
            assertThat(greeting).isEqualTo("220 mx.example.test ESMTP Postlet");
            socket.getOutputStream().write("EHLO client.example\r\n".getBytes());
            StringBuilder ehlo = new StringBuilder();
            String line;
            do {
                line = readLine(socket.getInputStream());
                ehlo.append(line).append('\n');
            } while (line.charAt(3) == '-');
            assertThat(ehlo.toString()).contains("AUTH PLAIN LOGIN").doesNotContain("STARTTLS");
        }
    }

    @Test
    void plainTextOnAnImplicitTlsPortGetsNoSmtp() throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().tls(TlsMode.IMPLICIT).start();
             Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("EHLO client.example\r\n".getBytes());
            byte[] answer = socket.getInputStream().readNBytes(5);
            // Either closed at once (nothing read) or a TLS alert record; never "220 ".
            assertThat(answer.length == 0 || answer[0] == 0x15).as("closed or an alert, got %s", new String(answer)).isTrue();
        }
    }

    /**
     * TLS 1.0 and 1.1 are refused by Postlet itself: in a JVM where the JDK allows them again
     * (see {@link TlsProbe}), a client offering only one of them gets no session on either kind
     * of listener, while a plain JDK server in that JVM (the control) does negotiate them — so
     * the refusal is Postlet's, not the JDK's default.
     */
    @Test
    void onlyTls12And13AreNegotiatedEvenWhereTheJdkAllowsOlderVersions() throws Exception {
        Map<String, String> results = TlsProbe.run();
        for (String version : TlsProbe.VERSIONS) {
            assertThat(results.get("control " + version)).as("control " + version).isEqualTo("negotiated " + version);
        }
        for (String listener : new String[] {"implicit", "starttls"}) {
            assertThat(results.get(listener + " TLSv1.3")).as(listener).isEqualTo("negotiated TLSv1.3");
            assertThat(results.get(listener + " TLSv1.2")).as(listener).isEqualTo("negotiated TLSv1.2");
            assertThat(results.get(listener + " TLSv1.1")).as(listener).startsWith("refused ");
            assertThat(results.get(listener + " TLSv1")).as(listener).startsWith("refused ");
        }
    }

    private static String readLine(InputStream in) throws Exception {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b == -1) {
                throw new java.io.EOFException("closed after " + line);
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString();
    }

    /** The server answers with a fatal alert record: a refusal it states, not silence that could be anything. */
    private static void assertRefused(byte[] answer) {
        // 0x15 = alert record; 0x16 would be a handshake record (ServerHello).
        assertThat(answer).as("the server's answer to the ClientHello").hasSize(7);
        assertThat(answer[0]).as("first record type").isEqualTo((byte) 0x15);
        assertThat(answer[answer.length - 2]).as("alert level fatal").isEqualTo((byte) 2);
        assertThat(answer[answer.length - 1]).as("alert description").isIn((byte) 40, (byte) 70);
    }

    private static byte[] rawHandshake(SmtpTestClient client, byte[] hello) throws Exception {
        Socket socket = client.socket();
        socket.getOutputStream().write(hello);
        socket.getOutputStream().flush();
        InputStream in = socket.getInputStream();
        byte[] header = in.readNBytes(5);
        if (header.length < 5) {
            return header;
        }
        int length = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
        byte[] body = in.readNBytes(Math.min(length, 64));
        ByteBuffer all = ByteBuffer.allocate(5 + body.length).put(header).put(body);
        return all.array();
    }

    /** A minimal ClientHello record: the given version, suites, no compression, EC extensions. */
    private static byte[] clientHello(int version, int... suites) {
        ByteBuffer extensions = ByteBuffer.allocate(64);
        // supported_groups: x25519, secp256r1
        extensions.putShort((short) 0x000a).putShort((short) 6).putShort((short) 4).putShort((short) 0x001d)
                .putShort((short) 0x0017);
        // ec_point_formats: uncompressed
        extensions.putShort((short) 0x000b).putShort((short) 2).put((byte) 1).put((byte) 0);
        // signature_algorithms: rsa_pkcs1_sha256, ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256
        extensions.putShort((short) 0x000d).putShort((short) 8).putShort((short) 6).putShort((short) 0x0401)
                .putShort((short) 0x0403).putShort((short) 0x0804);
        extensions.flip();
        ByteBuffer body = ByteBuffer.allocate(512);
        body.putShort((short) version);
        body.put(new byte[32]);
        body.put((byte) 0);
        body.putShort((short) (suites.length * 2));
        for (int suite : suites) {
            body.putShort((short) suite);
        }
        body.put((byte) 1).put((byte) 0);
        body.putShort((short) extensions.remaining()).put(extensions);
        body.flip();
        ByteBuffer record = ByteBuffer.allocate(9 + body.remaining());
        record.put((byte) 0x16).putShort((short) 0x0301).putShort((short) (4 + body.remaining()));
        record.put((byte) 1).put((byte) 0).putShort((short) body.remaining()).put(body);
        return record.array();
    }
}
