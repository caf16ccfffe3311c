package org.postlet.maildir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.MailAddress;

class QuotaTest {

    @TempDir
    Path root;

    private final MailAddress alice = new MailAddress("alice", "example.test");
    private final MailAddress bob = new MailAddress("bob", "example.test");

    private static Delivery of(MailAddress to, Optional<String> folder, int bytes) {
        return new Delivery(to, folder, Optional.empty(), out -> out.write(new byte[bytes]));
    }

    @Test
    void aDeliveryOverTheLimitIsRefusedAndLeavesNothingBehind() throws Exception {
        QuotaRules rules = a -> a.equals(alice) ? OptionalLong.of(3000) : OptionalLong.empty();
        MaildirStore store = new MaildirStore(root, "%d/%n", "mx.example.test", rules);
        long first = store.deliver(of(alice, Optional.empty(), 1000)).size();
        long second = store.deliver(of(alice, Optional.of("Junk"), 1000)).size();
        assertThat(store.usage(alice)).isEqualTo(first + second);

        assertThatThrownBy(() -> store.deliver(of(alice, Optional.empty(), 1000)))
                .isInstanceOf(OverQuotaException.class)
                .hasMessageContaining("alice@example.test is over quota").hasMessageContaining("limit 3000");
        try (Stream<Path> tmp = Files.list(root.resolve("example.test/alice/tmp"))) {
            assertThat(tmp).isEmpty();
        }
        store.deliver(of(bob, Optional.empty(), 5000)); // no limit for bob
    }

    @Test
    void usageCountsCurAndFoldersAndAnEmptyMailboxIsZero() throws Exception {
        MaildirStore store = new MaildirStore(root, "%d/%n", "mx.example.test");
        assertThat(store.usage(alice)).isZero();
        DeliveryResult r = store.deliver(of(alice, Optional.empty(), 100));
        Files.move(r.file(), r.file().getParent().resolveSibling("cur").resolve(r.file().getFileName() + ":2,S"));
        DeliveryResult junk = store.deliver(of(alice, Optional.of("Junk"), 200));
        assertThat(store.usage(alice)).isEqualTo(r.size() + junk.size());
    }
}
