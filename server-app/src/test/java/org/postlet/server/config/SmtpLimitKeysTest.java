package org.postlet.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** smtp.limits.recipientOvershoot and the per-listener connection limits. */
class SmtpLimitKeysTest {

    @TempDir
    Path dir;

    private void write(String smtp) throws Exception {
        Files.writeString(dir.resolve("users.passwd"), "alice@example.test:{PLAIN}x\n");
        Files.writeString(dir.resolve("postlet.yaml"), """
                hostname: mx.example.test
                domains: [example.test]
                users: users.passwd
                """ + smtp);
    }

    @Test
    void overshootAndListenerLimitsAreRead() throws Exception {
        write("""
                smtp:
                  listeners:
                    - { name: mx, bind: 127.0.0.1, port: 2525, connections: 500, connectionsPerClient: 10 }
                    - { name: submission, bind: 127.0.0.1, port: 2587 }
                  limits: { connections: 300, recipientOvershoot: 50 }
                """);
        ServerConfig c = new ServerConfigLoader().load(dir);
        assertThat(c.smtp().limits().recipientOvershoot()).isEqualTo(50);
        assertThat(c.smtp().listeners().get(0).connections()).isEqualTo(OptionalInt.of(500));
        assertThat(c.smtp().listeners().get(0).connectionsPerClient()).isEqualTo(OptionalInt.of(10));
        assertThat(c.smtp().listeners().get(1).connectionLimit(c.smtp().limits())).isEqualTo(300);
    }

    @Test
    void theOvershootDefaultsTo1000() throws Exception {
        write("");
        assertThat(new ServerConfigLoader().load(dir).smtp().limits().recipientOvershoot()).isEqualTo(1000);
    }

    @Test
    void badValuesAreReportedWithTheirLine() throws Exception {
        write("""
                smtp:
                  listeners:
                    - { name: mx, port: 2525, connections: 0 }
                  limits: { recipientOvershoot: -1 }
                """);
        assertThatThrownBy(() -> new ServerConfigLoader().load(dir)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("postlet.yaml:6: listener mx: connections is 0 but must be at least 1")
                .hasMessageContaining("postlet.yaml:7: smtp.limits.recipientOvershoot is -1 but must be 0 or more");
    }
}
