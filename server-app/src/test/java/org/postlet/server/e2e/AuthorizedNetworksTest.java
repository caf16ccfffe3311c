package org.postlet.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.server.PostletServer;

/**
 * {@code smtp.authorizedNetworks: []} turns relaying without AUTH off, also for loopback: a real
 * server on 127.0.0.1, a client on 127.0.0.1, a remote recipient. The key left out keeps the
 * loopback default, so the same session is accepted there.
 */
class AuthorizedNetworksTest {

    @TempDir
    Path dir;

    private List<String> relayFromLoopback(String authorizedNetworksLine) throws Exception {
        TestInstallation inst = new TestInstallation(dir, 0);
        Path conf = inst.conf.resolve("postlet.yaml");
        Files.writeString(conf, Files.readString(conf).replace("  authorizedNetworks: [127.0.0.0/8]\n", authorizedNetworksLine));
        try (PostletServer server = PostletServer.start(inst.conf, dir);
             Socket socket = new Socket("127.0.0.1", server.port("mx"))) {
            socket.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            List<String> replies = new ArrayList<>();
            replies.add(in.readLine());
            for (String command : List.of("HELO client.example", "MAIL FROM:<someone@example.com>", "RCPT TO:<victim@elsewhere.example>",
                    "QUIT")) {
                out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                replies.add(in.readLine());
            }
            return replies;
        }
    }

    @Test
    void anEmptyListRefusesRelayFromLoopback() throws Exception {
        List<String> replies = relayFromLoopback("  authorizedNetworks: []\n");
        assertThat(replies.get(3)).startsWith("554 5.7.1").contains("Relay access denied");
    }

    @Test
    void withoutTheKeyLoopbackMayRelay() throws Exception {
        List<String> replies = relayFromLoopback("");
        assertThat(replies.get(3)).startsWith("250");
    }
}
