package org.postlet.outbound.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.outbound.client.TlsPolicy;

class TlsTableTest {

    @Test
    void theMostSpecificEntryWins(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tls-policies");
        Files.writeString(file, "# per destination\n\nbank.example verify\n.example.org   encrypt\n"
                + ".eu.example.org may\nexample.org none\n");

        TlsTable table = TlsTable.read(file);

        assertThat(table.policy("bank.example")).contains(TlsPolicy.VERIFY);
        assertThat(table.policy("BANK.example")).contains(TlsPolicy.VERIFY);
        assertThat(table.policy("mx.bank.example")).isEmpty(); // the domain's line is not for its subdomains
        assertThat(table.policy("example.org")).contains(TlsPolicy.NONE);
        assertThat(table.policy("mail.example.org")).contains(TlsPolicy.ENCRYPT);
        assertThat(table.policy("a.b.example.org")).contains(TlsPolicy.ENCRYPT);
        assertThat(table.policy("paris.eu.example.org")).contains(TlsPolicy.MAY);
        assertThat(table.policy("other.test")).isEmpty();
    }

    @Test
    void aBadLineNamesFileAndLineAndTheFix() {
        assertThatThrownBy(() -> TlsTable.parse("conf/tls", List.of("# x", "bank.example verify", "mail.test")))
                .isInstanceOf(TlsTableException.class)
                .hasMessage("conf/tls:3: 'mail.test' is not 'domain policy' — write e.g. 'bank.example verify' or"
                        + " '.example.org encrypt'");
        assertThatThrownBy(() -> TlsTable.parse("conf/tls", List.of("bank.example strict")))
                .hasMessage("conf/tls:1: 'strict' is not a TLS policy — write none, may, encrypt or verify");
        assertThatThrownBy(() -> TlsTable.parse("conf/tls", List.of("bank/example verify")))
                .hasMessageStartingWith("conf/tls:1: 'bank/example' is not a domain — ");
        assertThatThrownBy(() -> TlsTable.parse("conf/tls", List.of("bank.example verify", "", "Bank.Example may")))
                .hasMessage("conf/tls:3: bank.example is already listed on line 1 — keep one line per domain");
    }
}
