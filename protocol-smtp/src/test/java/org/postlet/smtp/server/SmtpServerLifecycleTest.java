package org.postlet.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postlet.smtp.testing.RecordingQueue;
import org.postlet.smtp.testing.SmtpTestClient;
import org.postlet.smtp.testing.SmtpTestServer;
import org.postlet.smtp.testing.TestPolicy;

/** Start, stop, timeouts and listener-level settings. */
class SmtpServerLifecycleTest {

    @Test
    void greetsWithTheHostname() throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().start();
             SmtpTestClient client = new SmtpTestClient(server.port())) {
            assertThat(client.read()).hasToString("220 mx.example.test ESMTP Postlet");
        }
    }

    @Test
    void closeSays421ToAnIdleClient() throws Exception {
        SmtpTestServer server = SmtpTestServer.builder().start();
        try (SmtpTestClient client = server.connect()) {
            client.command("EHLO c");
            server.close();
            assertThat(client.read()).hasToString("421 4.3.2 mx.example.test Service shutting down");
            assertThat(client.closedByServer()).isTrue();
        } finally {
            server.close();
        }
    }

    @Test
    void closeLetsAMessageBeingCommittedFinish() throws Exception {
        SmtpTestServer server = SmtpTestServer.builder().start();
        server.queue().failWith(RecordingQueue.Failure.COMMIT_DELAYED);
        try (SmtpTestClient client = server.connect()) {
            client.send("HELO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n");
            for (int i = 0; i < 4; i++) {
                client.read();
            }
            client.send("hello\r\n.\r\n");
            server.queue().awaitCommitsStarted(1);
            assertThat(server.queue().committed()).as("the commit is still running when close() begins").isEmpty();
            server.close();
            assertThat(client.read().text()).startsWith("2.0.0 Ok: queued as");
            assertThat(client.read().code()).isEqualTo(421);
            assertThat(server.queue().committed()).hasSize(1);
        } finally {
            server.close();
        }
    }

    @Test
    void bindFailureNamesTheListenerAndAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            SmtpSettings settings = new SmtpSettings("mx.example.test",
                    List.of(new ListenerSettings("mx", "127.0.0.1", port, TlsMode.NONE, AuthMode.NONE)),
                    1000, 10, Duration.ofSeconds(5), Duration.ofSeconds(5));
            try (SmtpServer server = new SmtpServer(settings, new RecordingQueue(), new TestPolicy())) {
                assertThatThrownBy(server::start).isInstanceOf(IOException.class)
                        .hasMessageStartingWith("listener mx: cannot bind 127.0.0.1:" + port + ": ")
                        .hasMessageContaining("in use");
            }
        }
    }

    @Test
    void portOfAnUnknownListenerIsAnError() throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().start()) {
            assertThatThrownBy(() -> server.server().port("submission"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mx");
        }
    }

    @Test
    void idleClientGetsTimedOut() throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().commandTimeout(Duration.ofMillis(300)).start();
             SmtpTestClient client = server.connect()) {
            client.command("EHLO c");
            assertThat(client.read()).hasToString("421 4.4.2 mx.example.test Error: timeout exceeded");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void stalledDataGetsTimedOutAndTheMessageAborted() throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().commandTimeout(Duration.ofSeconds(30))
                .dataTimeout(Duration.ofMillis(300)).start();
             SmtpTestClient client = server.connect()) {
            client.send("HELO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n");
            for (int i = 0; i < 4; i++) {
                client.read();
            }
            client.send("partial");
            assertThat(client.read().code()).isEqualTo(421);
            assertThat(server.queue().awaitAborted(1)).isEqualTo(1);
            assertThat(server.queue().committed()).isEmpty();
        }
    }

    @Test
    void listenerRequiringAuthRefusesMail() throws Exception {
        try (SmtpTestServer server = SmtpTestServer.builder().auth(AuthMode.REQUIRED).start();
             SmtpTestClient client = server.connect()) {
            client.command("EHLO c");
            assertThat(client.command("MAIL FROM:<a@example.com>")).hasToString("530 5.7.0 Authentication required");
        }
    }
}
