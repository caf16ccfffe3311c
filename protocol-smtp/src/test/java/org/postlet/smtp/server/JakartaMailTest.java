package org.postlet.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.postlet.mailet.MailAddress;
import org.postlet.smtp.testing.RecordingQueue.Stored;
import org.postlet.smtp.testing.SmtpTestServer;

/** A real SMTP client library (Angus Mail) delivers through the server. */
class JakartaMailTest {

    @Test
    void deliversAMessage() throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().start()) {
            Properties properties = new Properties();
            properties.put("mail.smtp.host", "127.0.0.1");
            properties.put("mail.smtp.port", String.valueOf(server.port()));
            properties.put("mail.smtp.localhost", "sender.example");
            properties.put("mail.smtp.timeout", "5000");
            Session session = Session.getInstance(properties);
            MimeMessage message = new MimeMessage(session);
            message.setFrom(new InternetAddress("user1@example.com"));
            message.setRecipients(Message.RecipientType.TO, "alice@example.test, bob@example.test");
            message.setSubject("Hello from Jakarta Mail");
            message.setText("First line\n.leading dot\nLast line\n");
            Transport.send(message);

            List<Stored> stored = server.queue().await(1);
            assertThat(stored).hasSize(1);
            Stored mail = stored.get(0);
            assertThat(mail.envelope().sender()).contains(MailAddress.parse("user1@example.com"));
            assertThat(mail.envelope().recipients()).containsExactly(MailAddress.parse("alice@example.test"),
                    MailAddress.parse("bob@example.test"));
            assertThat(mail.envelope().heloName()).isEqualTo("sender.example");
            assertThat(mail.text()).startsWith("Received: from sender.example ([127.0.0.1])")
                    .contains("Subject: Hello from Jakarta Mail\r\n")
                    .contains("\r\n\r\nFirst line\r\n.leading dot\r\nLast line\r\n");
        }
    }
}
