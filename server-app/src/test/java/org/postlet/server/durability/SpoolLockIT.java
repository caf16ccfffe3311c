package org.postlet.server.durability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two servers on one spool, as an operator could start them by mistake: the second must refuse to
 * start, saying which process holds the spool, and leave the first one's spool and pid file alone.
 */
class SpoolLockIT {

    @TempDir
    Path dir;

    @Test
    void aSecondServerOnTheSameSpoolRefusesToStartAndLeavesTheFirstAlone() throws Exception {
        Installation first = Installation.create(dir.resolve("first"), 0, Installation.DEFAULT_PIPELINE,
                dir.resolve("spool"), dir.resolve("mail"));
        Installation second = Installation.create(dir.resolve("second"), 0, Installation.DEFAULT_PIPELINE,
                dir.resolve("spool"), dir.resolve("mail"));
        PostletProcess running = PostletProcess.start(first.conf, dir.resolve("first.log"), Duration.ofSeconds(120));
        try {
            Path pidFile = dir.resolve("spool/postlet.pid");
            assertThat(Files.readString(pidFile, StandardCharsets.US_ASCII).strip()).isEqualTo(Long.toString(running.pid()));

            Process refused = new ProcessBuilder(PostletProcess.HOME.resolve("bin/postlet").toString(), "run", "--conf",
                    second.conf.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("second.log").toFile()).start();
            boolean exited = refused.waitFor(60, TimeUnit.SECONDS);
            String out = Files.readString(dir.resolve("second.log"), StandardCharsets.UTF_8);
            if (!exited) {
                refused.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            assertThat(exited).as("the second server exits instead of running; its output:\n%s", out).isTrue();
            assertThat(refused.exitValue()).as("exit code; output:\n%s", out).isEqualTo(1);
            assertThat(out).contains("spool " + dir.resolve("spool") + " is in use by another Postlet (pid " + running.pid()
                    + "); stop it or give this one its own spool");
            assertThat(out).doesNotContain("Postlet ready");

            assertThat(pidFile).as("the first server's pid file").exists();
            assertThat(Files.readString(pidFile, StandardCharsets.US_ASCII).strip()).isEqualTo(Long.toString(running.pid()));
            assertThat(running.alive()).isTrue();
            try (RawSmtp smtp = new RawSmtp(running.port(), 10_000)) {
                assertThat(smtp.send("sender@example.org", List.of("alice@example.test"),
                        "Subject: still here\r\n\r\nhello\r\n").accepted()).isTrue();
            }
            Installation.awaitMessages(first.inbox("alice"), 1, Duration.ofSeconds(20));

            assertThat(running.stop()).as("exit code of the first server").isZero();
            assertThat(pidFile).as("removed by its owner at stop").doesNotExist();
        } finally {
            running.destroyQuietly();
        }
    }
}
