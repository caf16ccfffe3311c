package org.postlet.mailets.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.maildir.MaildirStore;
import org.postlet.mailet.ProcessingState;
import org.postlet.mailet.testkit.FakeMail;
import org.postlet.mailet.testkit.FakeMailetConfig;
import org.postlet.mailet.testkit.RecordingMailetContext;

/** LocalDelivery leaves the fsync of every {@code new/} it wrote to to the mail, so the server can share it. */
class LocalDeliveryTest {

    @TempDir
    Path root;

    private final RecordingMailetContext context = RecordingMailetContext.builder().hostname("mx.example.test")
            .localDomains("example.test").localUsers("alice@example.test", "bob@example.test")
            .alias("team@example.test", "alice@example.test", "bob@example.test").build();

    private LocalDelivery localDelivery(String... parameters) throws Exception {
        LocalDelivery mailet = new LocalDelivery(new MaildirStore(root, "%d/%n", "mx.example.test"), new MetricRegistry());
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("LocalDelivery").context(context);
        for (int i = 0; i < parameters.length; i += 2) {
            config.parameter(parameters[i], parameters[i + 1]);
        }
        mailet.init(config.build());
        return mailet;
    }

    @Test
    void handsTheNewDirectoryOfEveryMailboxToTheMail() throws Exception {
        FakeMail mail = FakeMail.builder().name("Q1").recipients("team@example.test").build();

        localDelivery("folder", "Junk").service(mail);

        Path aliceNew = root.resolve("example.test/alice/.Junk/new");
        Path bobNew = root.resolve("example.test/bob/.Junk/new");
        assertThat(mail.directoriesToSync()).containsExactly(aliceNew, bobNew);
        assertThat(list(aliceNew)).hasSize(1);
        assertThat(list(bobNew)).hasSize(1);
        assertThat(mail.state()).isEqualTo(ProcessingState.GHOST);
    }

    @Test
    void aRedeliveryAlreadyOnDiskStillHandsItsDirectoryOver() throws Exception {
        LocalDelivery mailet = localDelivery();
        mailet.service(FakeMail.builder().name("Q1").recipients("alice@example.test").build());
        Path aliceNew = root.resolve("example.test/alice/new");
        FakeMail again = FakeMail.builder().name("Q1").recipients("alice@example.test").possiblyRedelivered().build();

        mailet.service(again);

        assertThat(list(aliceNew)).as("not delivered twice").hasSize(1);
        assertThat(again.directoriesToSync()).as("the earlier copy may not be durable yet").containsExactly(aliceNew);
    }

    private static List<Path> list(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}
