package org.postlet.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.postlet.smtp.testing.RecordingQueue;
import org.postlet.smtp.testing.SmtpTestClient;
import org.postlet.smtp.testing.TestPolicy;

/** Each listener has its own connection slots: a flood on the MX port leaves submission serving. */
class ListenerLimitsTest {

    private static final SmtpLimits LIMITS = new SmtpLimits(4, 50, 1000, 20, 3, Duration.ofMillis(10), 10);

    private static SmtpServer server(ListenerSettings... listeners) throws Exception {
        SmtpServer server = new SmtpServer(new SmtpSettings("mx.example.test", List.of(listeners), 10_000, 10,
                Duration.ofSeconds(30), Duration.ofSeconds(30), LIMITS), new RecordingQueue(), new TestPolicy());
        server.start();
        return server;
    }

    @Test
    void aFullListenerDoesNotTakeTheSlotsOfAnother() throws Exception {
        try (SmtpServer server = server(new ListenerSettings("mx", "127.0.0.1", 0, TlsMode.NONE, AuthMode.NONE),
                new ListenerSettings("submission", "127.0.0.1", 0, TlsMode.NONE, AuthMode.NONE))) {
            List<SmtpTestClient> flood = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    flood.add(greeted(server.port("mx")));
                }
                try (SmtpTestClient fifth = new SmtpTestClient(server.port("mx"))) {
                    assertThat(fifth.read().toString()).startsWith("421 4.7.0 ").contains("too many connections");
                }
                try (SmtpTestClient submission = new SmtpTestClient(server.port("submission"))) {
                    assertThat(submission.read().code()).isEqualTo(220);
                    assertThat(submission.command("EHLO client.example").code()).isEqualTo(250);
                }
            } finally {
                for (SmtpTestClient c : flood) {
                    c.close();
                }
            }
        }
    }

    @Test
    void aListenerMayHaveItsOwnLimits() throws Exception {
        try (SmtpServer server = server(new ListenerSettings("mx", "127.0.0.1", 0, TlsMode.NONE, AuthMode.NONE,
                OptionalInt.of(10), OptionalInt.of(2)))) {
            List<SmtpTestClient> open = new ArrayList<>();
            try {
                open.add(greeted(server.port("mx")));
                open.add(greeted(server.port("mx")));
                try (SmtpTestClient third = new SmtpTestClient(server.port("mx"))) {
                    assertThat(third.read().toString()).isEqualTo("421 4.7.0 mx.example.test Error: too many connections from 127.0.0.1");
                }
            } finally {
                for (SmtpTestClient c : open) {
                    c.close();
                }
            }
        }
    }

    private static SmtpTestClient greeted(int port) throws Exception {
        SmtpTestClient client = new SmtpTestClient(port);
        assertThat(client.read().code()).isEqualTo(220);
        return client;
    }
}
