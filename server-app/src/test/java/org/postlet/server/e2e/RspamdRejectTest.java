package org.postlet.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.server.PostletServer;
import org.postlet.testsupport.rspamd.LocalRspamd;

/**
 * {@code smtp.rspamdReject} over SMTP with a real rspamd: GTUBE gets 550 5.7.1 at the end of DATA
 * and is not delivered, ordinary mail gets 250 and is, an authorized network is not asked, and an
 * rspamd that does not answer defers with 451 4.7.1.
 */
class RspamdRejectTest {

    private static final String SPAM = "From: a@elsewhere.test\r\nTo: alice@example.test\r\nSubject: offer\r\n\r\n"
            + LocalRspamd.GTUBE + "\r\n";
    private static final String HAM = "From: Bob <bob@elsewhere.test>\r\nTo: alice@example.test\r\nSubject: lunch\r\n"
            + "Message-ID: <1@elsewhere.test>\r\nDate: Tue, 1 Dec 2026 12:00:00 +0000\r\n\r\nSee you at noon.\r\n";

    @TempDir
    static Path rspamdDir;

    private static LocalRspamd rspamd;

    @TempDir
    Path dir;

    @BeforeAll
    static void startRspamd() throws Exception {
        rspamd = LocalRspamd.start(rspamdDir);
    }

    @AfterAll
    static void stopRspamd() throws Exception {
        if (rspamd != null) {
            rspamd.close();
        }
    }

    @Test
    void refusesSpamAtTheEndOfDataAndDeliversTheRest() throws Exception {
        TestInstallation inst = installation(rspamd.url(), "[]"); // loopback is a stranger here
        try (PostletServer server = PostletServer.start(inst.conf, dir)) {
            int port = server.port("mx");
            assertThat(TestInstallation.send(port, "a@elsewhere.test", "alice@example.test", SPAM))
                    .startsWith("550 5.7.1 Message refused as spam");
            assertThat(TestInstallation.send(port, "bob@elsewhere.test", "alice@example.test", HAM)).startsWith("250");
            assertThat(inst.awaitMail("alice", 1)).singleElement()
                    .satisfies(p -> assertThat(Files.readString(p)).contains("See you at noon.").doesNotContain("GTUBE"));
            Thread.sleep(500); // a wrongly queued spam would be delivered by now
            assertThat(inst.awaitMail("alice", 1)).as("only the ordinary message").hasSize(1);
        }
    }

    @Test
    void anAuthorizedNetworkIsNotAsked() throws Exception {
        TestInstallation inst = installation(rspamd.url(), "[127.0.0.0/8]");
        try (PostletServer server = PostletServer.start(inst.conf, dir)) {
            assertThat(TestInstallation.send(server.port("mx"), "a@elsewhere.test", "alice@example.test", SPAM)).startsWith("250");
            assertThat(inst.awaitMail("alice", 1)).hasSize(1);
        }
    }

    @Test
    void anRspamdThatDoesNotAnswerDefersAndNothingIsQueued() throws Exception {
        TestInstallation inst = installation("http://127.0.0.1:" + LocalRspamd.freePort(), "[]");
        try (PostletServer server = PostletServer.start(inst.conf, dir)) {
            long before = messages(inst.spool);
            assertThat(TestInstallation.send(server.port("mx"), "bob@elsewhere.test", "alice@example.test", HAM))
                    .startsWith("451 4.7.1");
            Thread.sleep(500);
            assertThat(messages(inst.spool)).as("the spool holds no new file").isEqualTo(before);
            assertThat(messages(inst.maildir)).as("nothing delivered").isZero();
        }
    }

    private TestInstallation installation(String url, String authorizedNetworks) throws IOException {
        TestInstallation inst = new TestInstallation(dir, 0);
        Path conf = inst.conf.resolve("postlet.yaml");
        Files.writeString(conf, Files.readString(conf)
                .replace("  maxMessageSize:", "  rspamdReject: \"" + url + "\"\n  maxMessageSize:")
                .replace("authorizedNetworks: [127.0.0.0/8]", "authorizedNetworks: " + authorizedNetworks));
        return inst;
    }

    /** The regular files under {@code root}. */
    private static long messages(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).count();
        }
    }
}
