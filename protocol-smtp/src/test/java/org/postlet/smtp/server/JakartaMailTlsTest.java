package org.postlet.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.Properties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postlet.smtp.testing.RecordingQueue.Stored;
import org.postlet.smtp.testing.SmtpTestServer;

/** A real client library (Angus Mail) with STARTTLS, implicit TLS and AUTH PLAIN / LOGIN. */
class JakartaMailTlsTest {

    private static MimeMessage message(Session session) throws Exception {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("alice@example.test"));
        message.setRecipients(Message.RecipientType.TO, "bob@example.test");
        message.setSubject("over TLS");
        message.setText("Sent with STARTTLS and AUTH.\n");
        return message;
    }

    private static Session session(String protocol, int port, String mechanism) {
        Properties p = new Properties();
        String prefix = "mail." + protocol + ".";
        p.put(prefix + "host", "127.0.0.1");
        p.put(prefix + "port", String.valueOf(port));
        p.put(prefix + "localhost", "client.example");
        p.put(prefix + "timeout", "5000");
        p.put(prefix + "auth", "true");
        p.put(prefix + "auth.mechanisms", mechanism);
        // Trust the server's self-signed test certificate.
        p.put(prefix + "ssl.trust", "*");
        p.put(prefix + "ssl.checkserveridentity", "false");
        if (protocol.equals("smtp")) {
            p.put(prefix + "starttls.enable", "true");
            p.put(prefix + "starttls.required", "true");
        }
        return Session.getInstance(p);
    }

    private static void send(Session session, String protocol, String user, String password) throws Exception {
        try (Transport transport = session.getTransport(protocol)) {
            transport.connect(user, password);
            MimeMessage message = message(session);
            transport.sendMessage(message, message.getAllRecipients());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"PLAIN", "LOGIN"})
    void starttlsAndAuthDeliver(String mechanism) throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().tls(TlsMode.STARTTLS).auth(AuthMode.REQUIRED).start()) {
            send(session("smtp", server.port(), mechanism), "smtp", "alice@example.test", "secret");
            Stored stored = server.queue().await(1).get(0);
            assertThat(stored.envelope().authenticatedUser()).contains("alice@example.test");
            assertThat(stored.envelope().tls()).hasValueSatisfying(t -> assertThat(t).startsWith("TLSv1."));
            assertThat(stored.text()).contains(" with ESMTPSA id ").contains("Sent with STARTTLS and AUTH.");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"PLAIN", "LOGIN"})
    void aWrongPasswordFailsWith535(String mechanism) throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().tls(TlsMode.STARTTLS).auth(AuthMode.REQUIRED).start()) {
            assertThatThrownBy(() -> send(session("smtp", server.port(), mechanism), "smtp", "alice@example.test", "nope"))
                    .isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("535 5.7.8");
            assertThat(server.queue().opened()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"PLAIN", "LOGIN"})
    void implicitTlsDelivers(String mechanism) throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().tls(TlsMode.IMPLICIT).auth(AuthMode.REQUIRED).start()) {
            send(session("smtps", server.port(), mechanism), "smtps", "bob@example.test", "hunter2");
            Stored stored = server.queue().await(1).get(0);
            assertThat(stored.envelope().authenticatedUser()).contains("bob@example.test");
            assertThat(stored.envelope().tls()).isPresent();
            assertThat(stored.text()).contains(" with ESMTPSA id ");
        }
    }
}
