package org.postlet.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dns.resolvers} and {@code smtp.dmarcReject}: read, defaulted, and wrong values reported at their line. */
class MailAuthenticationConfigTest {

    @TempDir
    Path dir;

    private void write(String extra) throws Exception {
        Files.writeString(dir.resolve("users.passwd"), "alice@example.test:{PLAIN}x\n");
        Files.writeString(dir.resolve("postlet.yaml"), "hostname: mx.example.test\ndomains: [example.test]\nusers: users.passwd\n" + extra);
    }

    @Test
    void readsResolversAndDmarcReject() throws Exception {
        write("dns:\n  resolvers: [\"127.0.0.1:5353\", \"[::1]:53\", 9.9.9.9]\nsmtp:\n  dmarcReject: true\n");
        ServerConfig c = new ServerConfigLoader().load(dir);
        assertThat(c.dnsResolvers()).get().asList().containsExactly(new InetSocketAddress("127.0.0.1", 5353), new InetSocketAddress("::1", 53),
                new InetSocketAddress("9.9.9.9", 53));
        assertThat(c.dmarcReject()).isTrue();
        assertThat(c.effectiveSecuritySettings()).contains("smtp.dmarcReject = true");
    }

    @Test
    void defaultsToTheSystemResolversAndNoRejection() throws Exception {
        write("");
        ServerConfig c = new ServerConfigLoader().load(dir);
        assertThat(c.dnsResolvers()).isEmpty();
        assertThat(c.dmarcReject()).isFalse();
    }

    @Test
    void anEmptyListMeansNoResolver() throws Exception {
        write("dns:\n  resolvers: []\n");
        ServerConfig c = new ServerConfigLoader().load(dir);
        assertThat(c.dnsResolvers()).contains(List.of());
    }

    @Test
    void aResolverByNameOrAWrongFlagIsAProblemAtItsLine() throws Exception {
        write("dns:\n  resolvers:\n    - dns.example:53\nsmtp:\n  dmarcReject: sometimes\n");
        assertThatThrownBy(() -> new ServerConfigLoader().load(dir)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("postlet.yaml:6: dns.resolvers: 'dns.example:53' is a name; a resolver is given by its address")
                .hasMessageContaining("postlet.yaml:8: smtp.dmarcReject is 'sometimes' — write true or false");
    }
}
