package org.postlet.maildir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.MailAddress;

class RedeliveryTest {

    @TempDir
    Path root;

    private final MailAddress alice = new MailAddress("alice", "example.test");

    private Delivery delivery(Optional<String> folder, String id) {
        return new Delivery(alice, folder, Optional.empty(), out -> out.write("x\r\n".getBytes(StandardCharsets.US_ASCII)),
                Optional.of(id));
    }

    @Test
    void aDeliveryIsFoundByItsIdInNewAndAfterAReaderMovedItToCur() throws Exception {
        MaildirStore store = new MaildirStore(root, "%d/%n", "mx.example.test");
        assertThat(store.findDelivered(alice, Optional.empty(), "01K1EJ")).isEmpty();
        DeliveryResult r = store.deliver(delivery(Optional.empty(), "01K1EJ"));
        assertThat(r.file().getFileName().toString()).contains("_01K1EJ.");
        assertThat(store.findDelivered(alice, Optional.empty(), "01K1EJ")).contains(r.file());
        assertThat(store.findDelivered(alice, Optional.empty(), "01K1E")).isEmpty();
        assertThat(store.findDelivered(alice, Optional.of("Junk"), "01K1EJ")).isEmpty();

        Path cur = r.file().getParent().resolveSibling("cur").resolve(r.file().getFileName() + ":2,S");
        Files.move(r.file(), cur);
        assertThat(store.findDelivered(alice, Optional.empty(), "01K1EJ")).contains(cur);
    }

    @Test
    void idsThatCouldBreakTheFileNameAreRefused() {
        assertThatThrownBy(() -> delivery(Optional.empty(), "a.b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> delivery(Optional.empty(), "a/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> delivery(Optional.empty(), "")).isInstanceOf(IllegalArgumentException.class);
    }
}
