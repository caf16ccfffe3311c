package org.postlet.server.processing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.postlet.server.PostletServer;

/**
 * A checked configuration for the spool tests: one MX listener on loopback, spool and Maildirs
 * beside {@code conf/} in the test folder, and a pipeline of one step under test before local
 * delivery, with an {@code error} processor keeping what fails in {@code ../error}.
 */
final class SpoolInstallation {

    private SpoolInstallation() {
    }

    static PostletServer.Checked install(Path dir, String users, String firstStep) throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(conf.resolve("users.passwd"), users);
        Files.writeString(conf.resolve("postlet.yaml"), """
                hostname: mx.example.test
                domains: [example.test]
                smtp: { listeners: [ { name: mx, bind: 127.0.0.1, port: 0 } ] }
                spool: ../spool
                storage: { maildir: { root: ../mail } }
                """);
        Files.writeString(conf.resolve("pipeline.yaml"), """
                processors:
                  - state: root
                    mailets:
                      - %s
                      - { match: RecipientIsLocal, class: LocalDelivery }
                  - state: error
                    mailets:
                      - { match: All, class: ToRepository, path: ../error }
                """.formatted(firstStep));
        return PostletServer.check(conf, dir);
    }
}
