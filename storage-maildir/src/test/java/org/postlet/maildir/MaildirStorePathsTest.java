package org.postlet.maildir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postlet.mailet.InvalidAddressException;
import org.postlet.mailet.MailAddress;

/** Layout expansion and refusal of addresses and folders; none of this may touch the disk. */
class MaildirStorePathsTest {

    private static final MailAddress ALICE = new MailAddress("alice", "example.test");

    @TempDir
    Path temp;

    private Path root() {
        return temp.resolve("mail");
    }

    @Test
    void domainSlashLocalPartLayout() {
        MaildirStore store = new MaildirStore(root(), "%d/%n", "mx.example.test");

        assertThat(store.mailboxOf(ALICE)).isEqualTo(root().toAbsolutePath().resolve("example.test").resolve("alice"));
        assertThat(root()).doesNotExist();
    }

    @Test
    void fullAddressLayout() {
        MaildirStore store = new MaildirStore(root(), "%u", "mx.example.test");

        assertThat(store.mailboxOf(ALICE)).isEqualTo(root().toAbsolutePath().resolve("alice@example.test"));
    }

    @Test
    void literalTextAndPercentInLayout() {
        MaildirStore store = new MaildirStore(root(), "vmail%%/%d/users-%n/Maildir", "mx.example.test");

        assertThat(store.mailboxOf(ALICE)).isEqualTo(root().toAbsolutePath()
                .resolve("vmail%").resolve("example.test").resolve("users-alice").resolve("Maildir"));
    }

    @Test
    void upperCaseAddressIsLowerCased() {
        MaildirStore store = new MaildirStore(root(), "%d/%n", "mx.example.test");

        assertThat(store.mailboxOf(new MailAddress("Alice.SMITH", "Example.TEST")))
                .isEqualTo(root().toAbsolutePath().resolve("example.test").resolve("alice.smith"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "a/b", ".hidden", "..", "a\\b", "x/../../etc"})
    void unsafeLocalPartsAreRefused(String localPart) {
        MaildirStore store = new MaildirStore(root(), "%d/%n", "mx.example.test");
        MailAddress unsafe = new MailAddress(localPart, "example.test");

        assertThatThrownBy(() -> store.mailboxOf(unsafe))
                .isInstanceOf(UnsafeMailboxException.class)
                .hasMessageContaining("no mailbox for")
                .hasMessageContaining("local part");
        assertThatThrownBy(() -> store.deliver(new Delivery(unsafe, Optional.empty(), Optional.empty(), text("x"))))
                .isInstanceOf(UnsafeMailboxException.class);
        assertThat(root()).doesNotExist();
        assertThat(temp.getParent().resolve("x")).doesNotExist();
    }

    @Test
    void controlCharactersAndNulAreRefusedEvenIfTheAddressParserLetThemThrough() {
        // MailAddress already refuses these; the store must not depend on it.
        assertThatThrownBy(() -> new MailAddress("x\u0000", "example.test")).isInstanceOf(InvalidAddressException.class);

        assertThatThrownBy(() -> MaildirStore.checkPathPart("local part", "x\u0000", "x@example.test"))
                .isInstanceOf(UnsafeMailboxException.class).hasMessageContaining("NUL");
        assertThatThrownBy(() -> MaildirStore.checkPathPart("local part", "x\u001by", "x@example.test"))
                .isInstanceOf(UnsafeMailboxException.class).hasMessageContaining("U+001B");
        assertThatThrownBy(() -> MaildirStore.checkPathPart("local part", "x\u0085", "x@example.test"))
                .isInstanceOf(UnsafeMailboxException.class).hasMessageContaining("control character");
        assertThatThrownBy(() -> MaildirStore.checkPathPart("local part", "", "@example.test"))
                .isInstanceOf(UnsafeMailboxException.class).hasMessageContaining("empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "a/b", ".example.test", "a\\b", "example..test"})
    void unsafeDomainsAreRefused(String domain) {
        assertThatThrownBy(() -> MaildirStore.checkPathPart("domain", domain, "alice@" + domain))
                .isInstanceOf(UnsafeMailboxException.class)
                .hasMessageContaining("the domain");
    }

    @Test
    void domainDotDotCannotReachTheStoreThroughMailAddress() {
        assertThatThrownBy(() -> new MailAddress("alice", "..")).isInstanceOf(InvalidAddressException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "a/b", ".hidden", "Junk.", "Work..Projects", "J\u00fcnk", "a\u0000b", "a\\b",
        "Junk\r\nX-Injected: 1", "*", "%"})
    void unsafeFolderNamesAreRefused(String folder) {
        MaildirStore store = new MaildirStore(root(), "%d/%n", "mx.example.test");

        assertThatThrownBy(() -> store.folderOf(ALICE, Optional.of(folder)))
                .isInstanceOf(UnsafeMailboxException.class)
                .hasMessageContaining("folder")
                .hasMessageContaining("Work.Projects")
                .hasMessageNotContaining("\u0000").hasMessageNotContaining("\r");
        assertThatThrownBy(() -> store.deliver(new Delivery(ALICE, Optional.of(folder), Optional.empty(), text("x"))))
                .isInstanceOf(UnsafeMailboxException.class);
        assertThat(root()).doesNotExist();
    }

    @Test
    void tooLongFolderNameIsRefused() {
        MaildirStore store = new MaildirStore(root(), "%d/%n", "mx.example.test");

        assertThatThrownBy(() -> store.folderOf(ALICE, Optional.of("a".repeat(201))))
                .isInstanceOf(UnsafeMailboxException.class).hasMessageContaining("longer than");
    }

    @Test
    void folderNames() {
        MaildirStore store = new MaildirStore(root(), "%d/%n", "mx.example.test");
        Path mailbox = store.mailboxOf(ALICE);

        assertThat(store.folderOf(ALICE, Optional.empty())).isEqualTo(mailbox);
        assertThat(store.folderOf(ALICE, Optional.of(""))).isEqualTo(mailbox);
        assertThat(store.folderOf(ALICE, Optional.of("INBOX"))).isEqualTo(mailbox);
        assertThat(store.folderOf(ALICE, Optional.of("inbox"))).isEqualTo(mailbox);
        assertThat(store.folderOf(ALICE, Optional.of("Junk"))).isEqualTo(mailbox.resolve(".Junk"));
        assertThat(store.folderOf(ALICE, Optional.of("Work.Projects"))).isEqualTo(mailbox.resolve(".Work.Projects"));
        assertThat(store.folderOf(ALICE, Optional.of("Old Mail_2024-01"))).isEqualTo(mailbox.resolve(".Old Mail_2024-01"));
        assertThat(root()).doesNotExist();
    }

    @Test
    void unknownLayoutVariableNamesTheKnownOnes() {
        assertThatThrownBy(() -> new MaildirStore(root(), "%d/%x", "mx.example.test"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("%x")
                .hasMessageContaining("%d").hasMessageContaining("%n").hasMessageContaining("%u");
        assertThatThrownBy(() -> new MaildirStore(root(), "%d/%Ln", "mx.example.test"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lower-cased");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/var/mail/%d/%n", "../%d/%n", "%d/../%n", "%d/./%n", "%d//%n", "%d/%n/", "~/%n",
        "%d\\%n", "static", "", "%d/%", "C:/%n"})
    void unsafeOrMeaninglessLayoutsAreRefused(String layout) {
        assertThatThrownBy(() -> new MaildirStore(root(), layout, "mx.example.test"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maildir layout");
    }

    @Test
    void blankHostnameIsRefused() {
        assertThatThrownBy(() -> new MaildirStore(root(), "%d/%n", " "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hostname");
    }

    private static MessageContent text(String s) {
        return out -> out.write(s.getBytes(StandardCharsets.UTF_8));
    }
}
