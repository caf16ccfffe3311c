package org.postlet.server.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postlet.testsupport.Prerequisites;

/**
 * Postlet is no open relay: the real server ({@code PostletServer} from a configuration on disk,
 * {@code LocalRecipientPolicy} deciding) on real sockets, for every listener mode (tls none,
 * starttls, implicit × auth none, optional, required), for each form of
 * {@code smtp.authorizedNetworks}, for address tricks that fooled other servers, and around AUTH.
 * A client outside the authorized networks that did not authenticate gets {@code 554 5.7.1} for
 * every recipient that is not local, and nothing reaches the relay repository.
 */
class OpenRelayTest {

    private static final List<String> TLS_MODES = List.of("none", "starttls", "implicit");
    private static final List<String> AUTH_MODES = List.of("none", "optional", "required");
    /** TEST-NET-2 (RFC 5737): never the address of a test client. */
    private static final String FOREIGN_NETWORK = "198.51.100.0/24";

    @TempDir
    Path dir;

    /** Nine listeners, one per (tls, auth) pair, named {@code tls-auth}, e.g. {@code starttls-required}. */
    private static String everyListener(String bind) {
        StringBuilder yaml = new StringBuilder("  listeners:\n");
        for (String tls : TLS_MODES) {
            for (String auth : AUTH_MODES) {
                yaml.append("    - { name: %s-%s, bind: %s, port: 0, tls: %s, auth: %s }\n".formatted(tls, auth, bind, tls, auth));
            }
        }
        return yaml.toString();
    }

    private SmtpInstallation install(String authorizedNetworksLine) throws Exception {
        return new SmtpInstallation(dir, everyListener("127.0.0.1") + authorizedNetworksLine);
    }

    // ---- smtp.authorizedNetworks × every listener ----------------------------------------

    @Test
    void aNetworkListThatExcludesTheClientMeansItCannotRelayOnAnyListener() throws Exception {
        try (SmtpInstallation postlet = install("  authorizedNetworks: [" + FOREIGN_NETWORK + "]\n")) {
            assertNoListenerRelays(postlet);
        }
    }

    /**
     * {@code []} means "no network", never "the default" (the contract: an empty list is always
     * "none"). Fails while the config loader reads {@code []} as an absent key.
     */
    @Test
    void emptyAuthorizedNetworksMeansNoneCanRelay() throws Exception {
        try (SmtpInstallation postlet = install("  authorizedNetworks: []\n")) {
            assertNoListenerRelays(postlet);
        }
    }

    @Test
    void aNetworkListThatIncludesTheClientLetsItRelayWithoutAuth() throws Exception {
        try (SmtpInstallation postlet = install("  authorizedNetworks: [" + FOREIGN_NETWORK + ", 127.0.0.0/8]\n")) {
            for (String listener : listeners()) {
                try (SmtpDialog smtp = SmtpDialog.greeted(postlet.port(listener), tlsOf(listener))) {
                    if (listener.endsWith("-required")) {
                        // AUTH required means required, whatever the network.
                        assertThat(smtp.command("MAIL FROM:<someone@example.test>")).as(listener).startsWith("530 5.7.0");
                        continue;
                    }
                    smtp.expect("MAIL FROM:<someone@example.test>", "250");
                    assertThat(smtp.command("RCPT TO:<v@external.test>")).as(listener).startsWith("250 2.1.5");
                }
            }
            try (SmtpDialog smtp = SmtpDialog.greeted(postlet.port("none-none"), "none")) {
                smtp.expect("MAIL FROM:<someone@example.test>", "250");
                smtp.expect("RCPT TO:<v@external.test>", "250");
                assertThat(smtp.data("Subject: relayed\r\n\r\nfrom an authorized network\r\n")).startsWith("250 2.0.0");
            }
            assertThat(Files.readString(postlet.awaitRelayed(1).get(0))).contains("from an authorized network");
        }
    }

    /**
     * Without the key the loopback networks are authorized (the documented default), and only
     * they: a client connecting from this machine's non-loopback address may not relay.
     */
    @Test
    void withoutTheKeyOnlyLoopbackClientsRelay() throws Exception {
        InetAddress external = nonLoopbackAddress();
        try (SmtpInstallation postlet = new SmtpInstallation(dir, """
                  listeners:
                    - { name: loopback, bind: 127.0.0.1, port: 0 }
                    - { name: outside, bind: %s, port: 0 }
                """.formatted(external.getHostAddress()))) {
            try (SmtpDialog smtp = SmtpDialog.greeted(postlet.port("loopback"), "none")) {
                smtp.expect("MAIL FROM:<someone@example.test>", "250");
                assertThat(smtp.command("RCPT TO:<v@external.test>")).startsWith("250 2.1.5");
            }
            try (SmtpDialog smtp = SmtpDialog.connect(new InetSocketAddress(external, postlet.port("outside")), false)) {
                smtp.expect("EHLO client.example", "250");
                smtp.expect("MAIL FROM:<someone@example.test>", "250");
                assertThat(smtp.command("RCPT TO:<v@external.test>"))
                        .isEqualTo("554 5.7.1 <v@external.test>: Relay access denied");
                assertThat(smtp.command("RCPT TO:<alice@example.test>")).startsWith("250 2.1.5");
            }
        }
    }

    private void assertNoListenerRelays(SmtpInstallation postlet) throws Exception {
        for (String listener : listeners()) {
            try (SmtpDialog smtp = SmtpDialog.greeted(postlet.port(listener), tlsOf(listener))) {
                if (listener.endsWith("-required")) {
                    assertThat(smtp.command("MAIL FROM:<someone@example.test>")).as(listener)
                            .isEqualTo("530 5.7.0 Authentication required");
                    continue;
                }
                smtp.expect("MAIL FROM:<someone@example.test>", "250");
                assertThat(smtp.command("RCPT TO:<v@external.test>")).as(listener)
                        .isEqualTo("554 5.7.1 <v@external.test>: Relay access denied");
                // The refusal is about relaying: the same client may send to a local user.
                assertThat(smtp.command("RCPT TO:<alice@example.test>")).as(listener).startsWith("250 2.1.5");
            }
        }
        assertThat(postlet.relayed()).isEmpty();
    }

    // ---- address forms -------------------------------------------------------------------

    /**
     * Recipients that name another domain in disguise. Each must be refused (5xx) by a server
     * that authorizes no network: none may be accepted and handed on.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "<@example.test:v@external.test>",        // source route through us (RFC 5321 §4.1.2, ignored)
            "<@example.test,@relay.test:v@external.test>",
            "<v@sub.example.test>",                    // a subdomain of a local domain is not local
            "<alice@sub.example.test>",
            "<v@external.test.>",                      // trailing dot
            "<v@EXTERNAL.TEST>",                       // case
            "<v@Sub.Example.Test>",
            "<v@[127.0.0.1]>",                         // an address literal, even our own address
            "<v@[198.51.100.7]>",
            "<v@example.test@external.test>",
            "<v@external.test@example.test>",
            "<v%external.test@example.test>",          // percent hack (Sendmail's %-routing)
            "<\"v@external.test\"@example.test>",      // quoted @
            "<\"v%external.test\"@example.test>",
            "<external.test!v@example.test>",          // UUCP bang path
            "<\"external.test!v\"@example.test>",
            "<v@example.test.>",
            "<alice@example.test@external.test>",
    })
    void disguisedForeignRecipientsAreRefused(String recipient) throws Exception {
        try (SmtpInstallation postlet = plainMxRelayingForNoOne();
             SmtpDialog smtp = SmtpDialog.greeted(postlet.port("mx"), "none")) {
            smtp.expect("MAIL FROM:<someone@elsewhere.test>", "250");
            String reply = smtp.command("RCPT TO:" + recipient);
            assertThat(reply).as(recipient).matches("5\\d\\d 5\\.\\d\\.\\d+ .*");
            // Nothing was accepted, so there is nothing to send.
            assertThat(smtp.command("DATA")).matches("554 5\\.5\\.1 Error: no valid recipients|503 5\\.5\\.1 Error: need RCPT command");
            assertThat(postlet.relayed()).isEmpty();
        }
    }

    /** The exact answers, so a change in which rule refuses them is noticed. */
    @Test
    void disguisedRecipientsGetTheRightRefusal() throws Exception {
        try (SmtpInstallation postlet = plainMxRelayingForNoOne();
             SmtpDialog smtp = SmtpDialog.greeted(postlet.port("mx"), "none")) {
            smtp.expect("MAIL FROM:<someone@elsewhere.test>", "250");
            // Another domain, however written: relay denied.
            assertThat(smtp.command("RCPT TO:<@example.test:v@external.test>"))
                    .isEqualTo("554 5.7.1 <v@external.test>: Relay access denied");
            assertThat(smtp.command("RCPT TO:<v@Sub.Example.Test>"))
                    .isEqualTo("554 5.7.1 <v@sub.example.test>: Relay access denied");
            assertThat(smtp.command("RCPT TO:<v@[127.0.0.1]>"))
                    .isEqualTo("554 5.7.1 <v@[127.0.0.1]>: Relay access denied");
            // Our domain with a routing trick in the local part: an unknown local user, never a route.
            assertThat(smtp.command("RCPT TO:<v%external.test@example.test>"))
                    .isEqualTo("550 5.1.1 <v%external.test@example.test>: Recipient address rejected: User unknown in local recipient table");
            assertThat(smtp.command("RCPT TO:<\"v@external.test\"@example.test>")).startsWith("550 5.1.1 ");
            assertThat(smtp.command("RCPT TO:<external.test!v@example.test>")).startsWith("550 5.1.1 ");
            // Not an address at all.
            assertThat(smtp.command("RCPT TO:<v@external.test.>")).startsWith("501 5.1.3 ");
            // Local users in any case are local.
            assertThat(smtp.command("RCPT TO:<ALICE@EXAMPLE.TEST>")).startsWith("250 2.1.5");
            assertThat(smtp.command("RCPT TO:<Team@Example.Test>")).startsWith("250 2.1.5");
        }
    }

    // ---- AUTH ----------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"none-optional", "none-required", "starttls-optional", "starttls-required",
            "implicit-optional", "implicit-required"})
    void anAuthenticatedUserMayRelayAndAFailedAuthChangesNothing(String listener) throws Exception {
        try (SmtpInstallation postlet = install("  authorizedNetworks: [" + FOREIGN_NETWORK + "]\n")) {
            try (SmtpDialog smtp = SmtpDialog.greeted(postlet.port(listener), tlsOf(listener))) {
                assertThat(smtp.authPlain("alice@example.test", "wrong")).isEqualTo("535 5.7.8 Error: authentication failed");
                if (listener.endsWith("-required")) {
                    assertThat(smtp.command("MAIL FROM:<alice@example.test>")).isEqualTo("530 5.7.0 Authentication required");
                } else {
                    smtp.expect("MAIL FROM:<alice@example.test>", "250");
                    assertThat(smtp.command("RCPT TO:<v@external.test>"))
                            .isEqualTo("554 5.7.1 <v@external.test>: Relay access denied");
                    smtp.expect("RSET", "250");
                }
                assertThat(smtp.authPlain("alice@example.test", "alice-pw")).startsWith("235 2.7.0");
                smtp.expect("MAIL FROM:<alice@example.test>", "250");
                assertThat(smtp.command("RCPT TO:<v@external.test>")).startsWith("250 2.1.5");
                assertThat(smtp.data("Subject: out\r\n\r\nrelayed for alice\r\n")).startsWith("250 2.0.0");
            }
            assertThat(Files.readString(postlet.awaitRelayed(1).get(0))).contains("relayed for alice");
        }
    }

    @Test
    void authIsNotOfferedOnAnAuthNoneListenerSoNothingOpensRelay() throws Exception {
        try (SmtpInstallation postlet = install("  authorizedNetworks: [" + FOREIGN_NETWORK + "]\n");
             SmtpDialog smtp = SmtpDialog.greeted(postlet.port("starttls-none"), "starttls")) {
            assertThat(smtp.authPlain("alice@example.test", "alice-pw")).isEqualTo("503 5.5.1 Error: authentication not enabled");
            smtp.expect("MAIL FROM:<alice@example.test>", "250");
            assertThat(smtp.command("RCPT TO:<v@external.test>")).isEqualTo("554 5.7.1 <v@external.test>: Relay access denied");
        }
    }

    // ---- helpers -------------------------------------------------------------------------

    /** One plain MX listener; the authorized network is one the test client is never in. */
    private SmtpInstallation plainMxRelayingForNoOne() throws Exception {
        return new SmtpInstallation(dir, """
                  listeners:
                    - { name: mx, bind: 127.0.0.1, port: 0 }
                  authorizedNetworks: [%s]
                """.formatted(FOREIGN_NETWORK));
    }

    private static List<String> listeners() {
        List<String> names = new ArrayList<>();
        TLS_MODES.forEach(t -> AUTH_MODES.forEach(a -> names.add(t + "-" + a)));
        return names;
    }

    private static String tlsOf(String listener) {
        return listener.substring(0, listener.indexOf('-'));
    }

    /** An IPv4 address of this machine that is not loopback; under CI its absence fails the test. */
    private static InetAddress nonLoopbackAddress() throws Exception {
        Optional<InetAddress> found = NetworkInterface.networkInterfaces()
                .filter(i -> {
                    try {
                        return i.isUp() && !i.isLoopback();
                    } catch (java.net.SocketException e) {
                        return false;
                    }
                })
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .findFirst();
        if (found.isEmpty()) {
            Prerequisites.require(false, "this machine has no non-loopback IPv4 address to connect from");
        }
        return found.get();
    }
}
