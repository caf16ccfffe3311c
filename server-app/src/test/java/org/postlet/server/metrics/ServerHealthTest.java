package org.postlet.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerHealthTest {

    @TempDir
    Path spool;

    @Test
    void upWhenListenersListenAndTheSpoolIsWritable() throws Exception {
        Health health = new ServerHealth(List.of("mx", "submission"), name -> true, spool, 0).check();

        assertThat(health.up()).isTrue();
        assertThat(health.checks()).extracting(Health.Check::name).containsExactly("smtp.mx", "smtp.submission", "spool", "queue");
        try (var files = Files.list(spool)) {
            assertThat(files).as("the probe file is removed").isEmpty();
        }
    }

    @Test
    void downWhenAListenerIsNotListening() {
        Health health = new ServerHealth(List.of("mx", "submission"), "mx"::equals, spool, 0).check();

        assertThat(health.up()).isFalse();
        assertThat(health.problems()).containsExactly("smtp.submission: listener is not listening");
    }

    @Test
    void downWhenTheQueueCannotTakeMailAndItSaysWhy() {
        Health health = new ServerHealth(List.of(), name -> true, spool, 0,
                () -> Optional.of("RabbitMQ at amqp://127.0.0.1:5672/ queue postlet unreachable since 2026-12-01T14:00:00Z")).check();

        assertThat(health.up()).isFalse();
        assertThat(health.problems()).containsExactly(
                "queue: RabbitMQ at amqp://127.0.0.1:5672/ queue postlet unreachable since 2026-12-01T14:00:00Z");
    }

    @Test
    void downWhenTheSpoolIsMissingOrFull() {
        Health missing = new ServerHealth(List.of(), name -> true, spool.resolve("gone"), 0).check();
        Health full = new ServerHealth(List.of(), name -> true, spool, Long.MAX_VALUE).check();

        assertThat(missing.problems()).singleElement().asString().startsWith("spool: cannot write in " + spool.resolve("gone"));
        assertThat(full.problems()).singleElement().asString().contains("bytes free, less than");
    }
}
