package org.postlet.server.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's commands in this JVM, with their real files: what each prints on stdout and stderr, and its exit code. */
class LauncherTest {

    @TempDir
    Path dir;

    private Path conf;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void installation() throws Exception {
        conf = Files.createDirectories(dir.resolve("conf"));
        Files.copy(Path.of("..", "conf", "pipeline.yaml"), conf.resolve("pipeline.yaml"));
        Files.writeString(conf.resolve("users.passwd"), "alice@example.test:{PLAIN}secret\n");
        writeConfig("  authorizedNetworks: []\n");
    }

    private void writeConfig(String smtpExtra) throws Exception {
        Files.writeString(conf.resolve("postlet.yaml"), """
                hostname: mx.example.test
                domains: [example.test]
                users: users.passwd
                smtp:
                  listeners:
                    - { name: mx, bind: 127.0.0.1, port: 2525, tls: none, auth: none }
                    - { name: submission, bind: 127.0.0.1, port: 2587, tls: starttls, auth: required }
                  maxMessageSize: 1MB
                """ + smtpExtra + """
                spool: ../var/spool
                storage: { maildir: { root: ../var/mail } }
                """);
    }

    private int run(String... args) {
        return new Launcher(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), dir)
                .execute(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void checkPrintsTheEffectiveSecuritySettings() {
        assertThat(run("check", "--conf", conf.toString())).as(err()).isZero();
        assertThat(out().lines().toList()).first().asString().contains("postlet.yaml: valid — 2 listener(s)");
        assertThat(out()).contains("  smtp.listeners.mx = 127.0.0.1:2525 tls=none auth=none\n")
                .contains("  smtp.listeners.submission = 127.0.0.1:2587 tls=starttls auth=required\n")
                .contains("  smtp.authorizedNetworks = (none: no client may relay without AUTH)\n")
                .contains("  domains = example.test\n")
                .contains("  smtp.maxMessageSize = 1048576\n");
    }

    @Test
    void checkShowsTheLoopbackDefaultWhenTheKeyIsLeftOut() throws Exception {
        writeConfig("");
        assertThat(run("check", "--conf", conf.toString())).as(err()).isZero();
        assertThat(out()).contains("  smtp.authorizedNetworks = 127.0.0.0/8, 0:0:0:0:0:0:0:1/128\n");
    }
}
