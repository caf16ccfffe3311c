package org.postlet.server.context;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.postlet.mailet.MailAddress;
import org.postlet.server.directory.Directory;
import org.postlet.smtp.policy.Client;
import org.postlet.smtp.policy.Verdict;

/** The MAIL rule on its own: which senders a login owns. */
class LocalSenderPolicyTest {

    private static final Directory DIRECTORY = new Directory(Set.of("example.test"),
            List.of(user("alice"), user("bob")),
            Map.of(address("b.smith"), List.of(address("bob")),
                    address("team"), List.of(address("alice"), address("bob")),
                    address("info"), List.of(address("alice")),
                    address("sales"), List.of(address("info")),
                    address("ext"), List.of(MailAddress.parse("bob@external.test"))),
            OptionalLong.empty());

    private static MailAddress address(String local) {
        return new MailAddress(local, "example.test");
    }

    private static Directory.User user(String local) {
        return new Directory.User(address(local), "{PLAIN}x", List.of(), OptionalLong.empty());
    }

    private static Client login(String user) {
        return new Client(new InetSocketAddress("127.0.0.1", 1), "laptop", Optional.ofNullable(user), "submission");
    }

    private static Verdict.Kind check(SenderLogin rule, String user, String sender) {
        return new LocalSenderPolicy(rule, DIRECTORY).check(login(user),
                sender.isEmpty() ? Optional.empty() : Optional.of(MailAddress.parse(sender))).kind();
    }

    @Test
    void aLoginOwnsItsAddressAndTheAliasesLeadingToIt() {
        for (String own : new String[] {"bob@example.test", "Bob@Example.Test", "b.smith@example.test", "team@example.test", ""}) {
            assertThat(check(SenderLogin.OWNED, "bob@example.test", own)).as(own).isEqualTo(Verdict.Kind.ACCEPT);
        }
        assertThat(check(SenderLogin.OWNED, "alice@example.test", "sales@example.test")).isEqualTo(Verdict.Kind.ACCEPT);
    }

    @Test
    void everythingElseIsRefusedWith553() {
        for (String other : new String[] {"alice@example.test", "info@example.test", "sales@example.test",
                "bob@external.test", "ext@example.test", "nobody@example.test", "bob@sub.example.test"}) {
            assertThat(check(SenderLogin.OWNED, "bob@example.test", other)).as(other).isEqualTo(Verdict.Kind.REJECT);
        }
        Verdict v = new LocalSenderPolicy(SenderLogin.OWNED, DIRECTORY)
                .check(login("bob@example.test"), Optional.of(address("alice")));
        assertThat(v).isEqualTo(Verdict.reject(553, "5.7.1",
                "<alice@example.test>: sender address not owned by user bob@example.test"));
    }

    @Test
    void anyAndUnauthenticatedClientsAreNotChecked() {
        assertThat(check(SenderLogin.ANY, "bob@example.test", "alice@example.test")).isEqualTo(Verdict.Kind.ACCEPT);
        assertThat(check(SenderLogin.OWNED, null, "alice@example.test")).isEqualTo(Verdict.Kind.ACCEPT);
    }
}
