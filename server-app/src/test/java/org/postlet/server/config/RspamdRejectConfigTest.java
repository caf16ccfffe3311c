package org.postlet.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code smtp.rspamdReject}: read, off by default, and a URL that is not http reported at its line. */
class RspamdRejectConfigTest {

    @TempDir
    Path dir;

    private void write(String extra) throws Exception {
        Files.writeString(dir.resolve("users.passwd"), "alice@example.test:{PLAIN}x\n");
        Files.writeString(dir.resolve("postlet.yaml"), "hostname: mx.example.test\ndomains: [example.test]\nusers: users.passwd\n" + extra);
    }

    @Test
    void readsTheUrl() throws Exception {
        write("smtp:\n  rspamdReject: \"http://127.0.0.1:11333\"\n");
        ServerConfig c = new ServerConfigLoader().load(dir);
        assertThat(c.rspamdReject()).contains("http://127.0.0.1:11333");
        assertThat(c.effectiveSecuritySettings()).contains("smtp.rspamdReject = http://127.0.0.1:11333");
    }

    @Test
    void isOffByDefault() throws Exception {
        write("");
        ServerConfig c = new ServerConfigLoader().load(dir);
        assertThat(c.rspamdReject()).isEmpty();
        assertThat(c.effectiveSecuritySettings()).contains("smtp.rspamdReject = (off)");
    }

    @Test
    void aUrlThatIsNotHttpIsAProblemAtItsLine() throws Exception {
        write("smtp:\n  dmarcReject: true\n  rspamdReject: \"ftp://127.0.0.1:11333\"\n");
        assertThatThrownBy(() -> new ServerConfigLoader().load(dir)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("postlet.yaml:6: smtp.rspamdReject: 'ftp://127.0.0.1:11333' is not an http URL")
                .hasMessageContaining("write the base URL of rspamd's normal worker, e.g. http://127.0.0.1:11333");
    }

    @Test
    void aUrlThatIsNoUrlIsAProblemToo() throws Exception {
        write("smtp:\n  rspamdReject: \"http://127.0.0.1:11333/a b\"\n");
        assertThatThrownBy(() -> new ServerConfigLoader().load(dir)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("postlet.yaml:5: smtp.rspamdReject: 'http://127.0.0.1:11333/a b' is not a URL");
    }
}
