package org.postlet.server.context;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.MailAddress;
import org.postlet.maildir.MaildirStore;
import org.postlet.server.config.ServerConfig;
import org.postlet.server.config.ServerConfigLoader;
import org.postlet.server.directory.Directory;
import org.postlet.smtp.policy.Client;
import org.postlet.smtp.policy.Verdict;

/** The RCPT rule on its own: local users and aliases yes, other domains only for AUTH or authorized networks. */
class LocalRecipientPolicyTest {

    @TempDir
    Path dir;

    private LocalRecipientPolicy policy;

    @BeforeEach
    void load() throws Exception {
        Files.writeString(dir.resolve("users.passwd"), "alice@example.test:{PLAIN}x\n");
        Files.writeString(dir.resolve("aliases"), "info@example.test: alice@example.test\n");
        Files.writeString(dir.resolve("postlet.yaml"), """
                hostname: mx.example.test
                domains: [example.test, example.org]
                users: users.passwd
                aliases: aliases
                smtp:
                  authorizedNetworks: [198.51.100.0/24, "2001:db8::/32"]
                """);
        ServerConfig config = new ServerConfigLoader().load(dir);
        Directory directory = Directory.load(config.domains(), config.users(), config.aliases(), config.maildirQuota());
        policy = new LocalRecipientPolicy(config, directory, new MaildirStore(dir.resolve("mail"), "%d/%n", "mx.example.test"));
    }

    private static Client from(String ip) {
        return new Client(new InetSocketAddress(ip, 40000), "client.example", Optional.empty(), "mx");
    }

    private static Client authenticated(String ip) {
        return new Client(new InetSocketAddress(ip, 40000), "client.example", Optional.of("alice@example.test"), "mx");
    }

    private Verdict check(Client client, String recipient) {
        return policy.check(client, MailAddress.parse(recipient));
    }

    @Test
    void localUsersAndAliasesAreAcceptedFromAnyone() {
        assertThat(check(from("203.0.113.9"), "alice@example.test").kind()).isEqualTo(Verdict.Kind.ACCEPT);
        assertThat(check(from("203.0.113.9"), "ALICE@EXAMPLE.TEST").kind()).isEqualTo(Verdict.Kind.ACCEPT);
        assertThat(check(from("203.0.113.9"), "info@example.test").kind()).isEqualTo(Verdict.Kind.ACCEPT);
    }

    @Test
    void anUnknownLocalUserIsRefusedWhoeverAsks() {
        for (Client c : new Client[] {from("203.0.113.9"), from("198.51.100.7"), authenticated("203.0.113.9")}) {
            assertThat(check(c, "nobody@example.org")).isEqualTo(Verdict.reject(550, "5.1.1",
                    "<nobody@example.org>: Recipient address rejected: User unknown in local recipient table"));
            // A routing trick in the local part of a local domain is just an unknown user.
            assertThat(check(c, "v%external.test@example.test").code()).isEqualTo(550);
            assertThat(check(c, "\"v@external.test\"@example.test").code()).isEqualTo(550);
        }
    }

    @Test
    void anotherDomainIsRelayDeniedOutsideTheAuthorizedNetworks() {
        Verdict denied = Verdict.reject(554, "5.7.1", "<v@external.test>: Relay access denied");
        assertThat(check(from("203.0.113.9"), "v@external.test")).isEqualTo(denied);
        assertThat(check(from("127.0.0.1"), "v@external.test")).as("loopback is not listed here").isEqualTo(denied);
        assertThat(check(from("2001:db9::1"), "v@external.test")).isEqualTo(denied);
        assertThat(check(from("203.0.113.9"), "v@sub.example.test").code()).isEqualTo(554);
        assertThat(check(from("203.0.113.9"), "v@[198.51.100.1]").code()).isEqualTo(554);
        assertThat(check(from("203.0.113.9"), "@example.test:v@external.test")).isEqualTo(denied);
    }

    @Test
    void anUnresolvedClientAddressIsNotAuthorized() {
        Client unresolved = new Client(InetSocketAddress.createUnresolved("198.51.100.7", 25), "x", Optional.empty(), "mx");
        assertThat(check(unresolved, "v@external.test").code()).isEqualTo(554);
    }

    @Test
    void authorizedNetworksAndAuthenticatedUsersMayRelay() {
        assertThat(check(from("198.51.100.7"), "v@external.test").kind()).isEqualTo(Verdict.Kind.ACCEPT);
        assertThat(check(from("2001:db8::25"), "v@external.test").kind()).isEqualTo(Verdict.Kind.ACCEPT);
        assertThat(check(authenticated("203.0.113.9"), "v@external.test").kind()).isEqualTo(Verdict.Kind.ACCEPT);
    }
}
