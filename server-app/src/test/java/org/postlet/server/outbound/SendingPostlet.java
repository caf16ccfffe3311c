package org.postlet.server.outbound;

import java.nio.file.Files;
import java.nio.file.Path;
import org.postlet.server.PostletServer;
import org.postlet.server.testing.TestConfiguration;
import org.postlet.testsupport.dns.ScriptedDns;

/**
 * The Postlet whose outbound delivery the tests watch: local domain example.test with the test
 * users, relaying for loopback, delivering other domains through RemoteDelivery with the MX hosts
 * the test's DNS names.
 */
final class SendingPostlet {

    private SendingPostlet() {
    }

    /**
     * Writes its configuration under {@code dir/conf} (files already there, such as a TLS table, stay)
     * and starts it.
     *
     * @param port       the port RemoteDelivery connects to on every MX host
     * @param parameters added to the RemoteDelivery step ({@code , key: value} ...), or empty
     * @param extraYaml  lines added to postlet.yaml ({@code retry: …}, {@code metrics: …}), or empty
     */
    static PostletServer start(Path dir, ScriptedDns dns, int port, String parameters, String extraYaml) throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(conf.resolve("users.passwd"), TestConfiguration.USERS);
        Files.writeString(conf.resolve("postlet.yaml"), """
                hostname: mx.example.test
                domains: [example.test]
                smtp:
                  listeners: [ { name: mx, bind: 127.0.0.1, port: 0 } ]
                  authorizedNetworks: [127.0.0.0/8]
                spool: ../var/spool
                storage: { maildir: { root: ../var/mail } }
                dns: { resolvers: ["%s"] }
                %s
                """.formatted(dns.resolver(), extraYaml));
        Files.writeString(conf.resolve("pipeline.yaml"), """
                processors:
                  - state: root
                    mailets:
                      - { match: RecipientIsLocal, class: LocalDelivery }
                      - { match: All, class: RemoteDelivery, port: %d%s }
                  - state: error
                    mailets:
                      - { match: All, class: ToRepository, path: ../var/error }
                """.formatted(port, parameters));
        return PostletServer.start(conf, dir);
    }
}
