package org.postlet.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.server.testing.TestConfiguration;
import org.postlet.smtp.server.AuthMode;
import org.postlet.smtp.server.ListenerSettings;
import org.postlet.smtp.server.TlsMode;

class ServerConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void theShippedDefaultsLoad() throws Exception {
        ServerConfig c = new ServerConfigLoader().load(TestConfiguration.committedConf(dir.resolve("conf")));
        assertThat(c.hostname()).isEqualTo("example.test");
        assertThat(c.domains()).containsExactly("example.test");
        assertThat(c.smtp().listeners()).containsExactly(
                new ListenerSettings("mx", "0.0.0.0", 2525, TlsMode.STARTTLS, AuthMode.OPTIONAL),
                new ListenerSettings("submission", "0.0.0.0", 2587, TlsMode.STARTTLS, AuthMode.REQUIRED));
        assertThat(c.maildirRoot()).isEqualTo(dir.resolve("var/mail").toAbsolutePath().normalize());
        assertThat(c.pipeline().getFileName().toString()).isEqualTo("pipeline.yaml");
    }

    @Test
    void theContractExampleLoads() throws Exception {
        Files.writeString(dir.resolve("users.passwd"), "alice@example.test:{PLAIN}x\n");
        Files.writeString(dir.resolve("aliases"), "info@example.test: alice@example.test\n");
        Files.writeString(dir.resolve("postlet.yaml"), """
                hostname: mx.example.test
                domains: [example.test]
                users: users.passwd
                aliases: aliases
                smtp:
                  listeners:
                    - name: mx
                      bind: 0.0.0.0
                      port: 2525
                      tls: starttls
                      auth: optional
                    - name: submission
                      bind: 0.0.0.0
                      port: 2587
                      tls: starttls
                      auth: required
                  maxMessageSize: 26214400
                  maxRecipients: 100
                  authorizedNetworks: [127.0.0.0/8, "::1/128"]
                  timeouts: { command: 300s, data: 600s }
                tls:
                  keystore: tls/keystore.p12
                  password: changeit
                spool: ../var/spool
                storage:
                  maildir:
                    root: ../var/mail
                    layout: "%d/%n"
                pipeline: pipeline.yaml
                metrics:
                  http: 127.0.0.1:9025
                """);
        ServerConfig c = new ServerConfigLoader().load(dir);
        assertThat(c.smtp().listeners()).hasSize(2);
        assertThat(c.smtp().listeners().get(1)).isEqualTo(new ListenerSettings("submission", "0.0.0.0", 2587, TlsMode.STARTTLS, AuthMode.REQUIRED));
        assertThat(c.smtp().maxMessageSize()).isEqualTo(26214400L);
        assertThat(c.smtp().commandTimeout()).isEqualTo(Duration.ofSeconds(300));
        assertThat(c.smtp().dataTimeout()).isEqualTo(Duration.ofSeconds(600));
        assertThat(c.authorizedNetworks()).hasSize(2);
        assertThat(c.authorizedNetworks().get(0).contains(InetAddress.getByName("127.1.2.3"))).isTrue();
        assertThat(c.authorizedNetworks().get(1).contains(InetAddress.getByName("::1"))).isTrue();
        assertThat(c.authorizedNetworks().get(0).contains(InetAddress.getByName("10.0.0.1"))).isFalse();
        assertThat(c.tls()).hasValueSatisfying(t -> assertThat(t.keystore()).isEqualTo(dir.resolve("tls/keystore.p12")));
        assertThat(c.metricsHttp()).contains("127.0.0.1:9025");
        assertThat(c.aliases()).contains(dir.resolve("aliases"));
    }

    @Test
    void everyProblemIsReportedWithFileLineAndFix() throws Exception {
        Files.writeString(dir.resolve("users.passwd"), "alice@example.test:{PLAIN}x\n");
        Files.writeString(dir.resolve("postlet.yaml"), """
                hostname: mx.example.test
                domains: [example.test]
                smtp:
                  listeners:
                    - name: mx
                      port: 99999
                      tls: sometimes
                  maxRecipeints: 5
                  timeouts: { command: soon }
                  authorizedNetworks: [10.0.0.0/33]
                """);
        assertThatThrownBy(() -> new ServerConfigLoader().load(dir)).isInstanceOfSatisfying(InvalidConfigException.class, e -> {
            assertThat(e.problems()).extracting(ConfigProblem::line).contains(6, 7, 8, 9, 10);
            String all = e.getMessage();
            assertThat(all).contains("postlet.yaml:8: unknown key 'smtp.maxRecipeints'");
            assertThat(all).contains("port 99999 is out of range");
            assertThat(all).contains("tls is 'sometimes' — write one of none | starttls | implicit");
            assertThat(all).contains("not a duration");
            assertThat(all).contains("the prefix must be 0 to 32");
            assertThat(e.problems()).allSatisfy(p -> assertThat(p.toString()).contains(" — "));
        });
    }

    @Test
    void missingFileIsAProblemNotAStackTrace() {
        assertThatThrownBy(() -> new ServerConfigLoader().load(dir))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("postlet.yaml: file not found");
    }

    @Test
    void yamlSyntaxErrorsNameTheLineAndSayWhatIsWrong() throws Exception {
        Files.writeString(dir.resolve("postlet.yaml"), "hostname: a\ndomains: [x\nsmtp: {\n");
        assertThatThrownBy(() -> new ServerConfigLoader().load(dir)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("postlet.yaml:3: YAML syntax error: a [list] that is not closed (in what starts on line 2)"
                        + " — close the list with ']'");
        Files.writeString(dir.resolve("postlet.yaml"), """
                hostname: a
                smtp:
                  listeners:
                    - name: mx
                \tport: 25
                """);
        assertThatThrownBy(() -> new ServerConfigLoader().load(dir)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("postlet.yaml:5: YAML syntax error: a tab character: YAML indents with spaces only");
        Files.writeString(dir.resolve("postlet.yaml"), """
                hostname: a
                smtp:
                  maxRecipients: 5
                   maxMessageSize: 10
                """);
        assertThatThrownBy(() -> new ServerConfigLoader().load(dir)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("postlet.yaml:4: YAML syntax error: a 'key:' where no key can start");
    }

    // ---- empty lists and empty values: never the default ---------------------------------------

    @Test
    void anEmptyAuthorizedNetworksListMeansNoNetworkMayRelay() throws Exception {
        writeMinimal("smtp:\n  authorizedNetworks: []\n");
        assertThat(new ServerConfigLoader().load(dir).authorizedNetworks()).isEmpty();
        writeMinimal("smtp:\n  authorizedNetworks:\n  maxRecipients: 5\n");
        assertThatThrownBy(() -> new ServerConfigLoader().load(dir)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("postlet.yaml:5: smtp.authorizedNetworks is present but has no value — write [] for none");
        writeMinimal("");
        assertThat(new ServerConfigLoader().load(dir).authorizedNetworks()).extracting(Object::toString)
                .containsExactly("127.0.0.0/8", "::1/128");
    }

    @Test
    void anEmptyXmlElementIsAnEmptyList() throws Exception {
        Files.writeString(dir.resolve("users.passwd"), "alice@example.test:{PLAIN}x\n");
        Files.writeString(dir.resolve("postlet.xml"), """
                <postlet>
                  <hostname>mx.example.test</hostname>
                  <domains>example.test</domains>
                  <domains>example.org</domains>
                  <smtp>
                    <authorizedNetworks/>
                  </smtp>
                </postlet>
                """);
        ServerConfig c = new ServerConfigLoader().load(dir);
        assertThat(c.authorizedNetworks()).isEmpty();
        assertThat(c.domains()).containsExactly("example.test", "example.org");
    }

    @Test
    void emptyDomainsMeanNoLocalDomainAndAnEmptyListenerListIsRefused() throws Exception {
        writeMinimal("");
                Files.writeString(dir.resolve("postlet.yaml"), "hostname: mx.example.test\ndomains: []\n");
        assertThat(new ServerConfigLoader().load(dir).domains()).isEmpty();
        Files.writeString(dir.resolve("postlet.yaml"), "hostname: mx.example.test\nsmtp:\n  listeners: []\n");
        assertThatThrownBy(() -> new ServerConfigLoader().load(dir)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("postlet.yaml:3: smtp.listeners is empty: the server would receive no mail");
    }

    @Test
    void anEmptyValueIsAProblemNotTheDefault() throws Exception {
        writeMinimal("""
                smtp:
                  listeners:
                    - name: mx
                      port:
                """);
        assertThatThrownBy(() -> new ServerConfigLoader().load(dir)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("postlet.yaml:7: smtp.listeners.port is present but has no value");
    }

    @Test
    void anEmptyFileIsRefused() throws Exception {
        Files.writeString(dir.resolve("postlet.yaml"), "# nothing yet\n");
        assertThatThrownBy(() -> new ServerConfigLoader().load(dir)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("postlet.yaml: the file is empty");
    }

    @Test
    void unknownKeysAreReportedEvenWithEmptyValuesAndGetADidYouMean() throws Exception {
        writeMinimal("""
                smtp:
                  authorizedNetwork: []
                  AuthorizedNetworks: ~
                  listeners:
                    - { name: mx, port: 2525, tsl: none }
                maxMessageSize: 10
                spol: ../var/spool
                """);
        assertThatThrownBy(() -> new ServerConfigLoader().load(dir)).isInstanceOfSatisfying(InvalidConfigException.class, e -> {
            String all = e.getMessage();
            assertThat(all).contains("postlet.yaml:5: unknown key 'smtp.authorizedNetwork' — did you mean 'smtp.authorizedNetworks'?");
            assertThat(all).contains("postlet.yaml:6: unknown key 'smtp.AuthorizedNetworks' — did you mean 'smtp.authorizedNetworks'?");
            assertThat(all).contains("postlet.yaml:8: unknown key 'smtp.listeners.tsl' — did you mean 'smtp.listeners.tls'?");
            assertThat(all).contains("postlet.yaml:9: unknown key 'maxMessageSize' — 'maxMessageSize' belongs under smtp; move it there");
            assertThat(all).contains("postlet.yaml:10: unknown key 'spol' — did you mean 'spool'?");
        });
    }

    @Test
    void aDottedKeyIsAProblemNotSilentlyIgnored() throws Exception {
        writeMinimal("smtp.maxRecipients: 5\n");
        assertThatThrownBy(() -> new ServerConfigLoader().load(dir)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("postlet.yaml:4: key 'smtp.maxRecipients' has a dot; keys are nested, not dotted");
    }

    @Test
    void aKeyWrittenTwiceIsAProblem() throws Exception {
        writeMinimal("smtp:\n  maxRecipients: 5\n  maxRecipients: 50\n");
        assertThatThrownBy(() -> new ServerConfigLoader().load(dir)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("postlet.yaml:6: key 'smtp.maxRecipients' is written twice (also on line 5)");
    }

    @Test
    void twoListenersOnOnePortAreFoundByCheck() throws Exception {
        writeMinimal("""
                smtp:
                  listeners:
                    - { name: a, bind: 127.0.0.1, port: 2525 }
                    - { name: b, bind: 127.0.0.1, port: 2525 }
                    - { name: c, bind: 0.0.0.0, port: 2526 }
                    - { name: d, bind: 127.0.0.1, port: 2526 }
                    - { name: e, bind: 127.0.0.1, port: 2527 }
                    - { name: f, bind: 127.0.0.2, port: 2527 }
                    - { name: g, bind: 127.0.0.1, port: 0 }
                    - { name: h, bind: 127.0.0.1, port: 0 }
                """);
        assertThatThrownBy(() -> new ServerConfigLoader().load(dir)).isInstanceOfSatisfying(InvalidConfigException.class, e -> {
            assertThat(e.problems()).hasSize(2);
            assertThat(e.getMessage()).contains("postlet.yaml:7: listener b (127.0.0.1:2525) takes the port of listener a (127.0.0.1:2525)")
                    .contains("postlet.yaml:9: listener d (127.0.0.1:2526) takes the port of listener c (0.0.0.0:2526)");
        });
    }

    @Test
    void aSpoolThatCannotBeCreatedIsFoundByCheckWithTheUser() throws Exception {
        Files.writeString(dir.resolve("var"), "a file where the folder should be");
        writeMinimal("spool: var/spool\n");
        assertThatThrownBy(() -> new ServerConfigLoader().load(dir)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("postlet.yaml:4: spool " + dir.resolve("var/spool") + " cannot be created: "
                        + dir.resolve("var") + " is not a folder — make it writable for user '" + System.getProperty("user.name") + "'");
    }

    @Test
    void aFileThatIsNotUtf8OrTooLargeIsSaidSo() throws Exception {
        Files.write(dir.resolve("postlet.yaml"), "hostname: mx.example.test\n# caf\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> new ServerConfigLoader().load(dir)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("postlet.yaml:2: not UTF-8");
        Files.writeString(dir.resolve("postlet.yaml"), "hostname: x\n" + "#".repeat(ConfigFiles.MAX_BYTES));
        assertThatThrownBy(() -> new ServerConfigLoader().load(dir)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("the file is too large").hasMessageContaining("the limit is 3145728 bytes");
    }

    @Test
    void xmlConfigurationHasTheSameKeys() throws Exception {
        Files.writeString(dir.resolve("users.passwd"), "alice@example.test:{PLAIN}x\n");
        Files.writeString(dir.resolve("postlet.xml"), """
                <postlet>
                  <hostname>mx.example.test</hostname>
                  <domains>example.test</domains>
                  <smtp>
                    <listeners><name>mx</name><bind>127.0.0.1</bind><port>2526</port></listeners>
                  </smtp>
                </postlet>
                """);
        ServerConfig c = new ServerConfigLoader().load(dir);
        assertThat(c.smtp().listeners()).containsExactly(new ListenerSettings("mx", "127.0.0.1", 2526, TlsMode.NONE, AuthMode.NONE));
        assertThat(c.domains()).containsExactly("example.test");
    }

    private Path writeMinimal(String smtpAndTls) throws Exception {
        Files.writeString(dir.resolve("users.passwd"), "alice@example.test:{PLAIN}x\n");
        Files.writeString(dir.resolve("postlet.yaml"), """
                hostname: mx.example.test
                domains: [example.test]
                users: users.passwd
                """ + smtpAndTls);
        return dir.resolve("postlet.yaml");
    }

    @Test
    void dnsResolversAreAddressesWithAnOptionalPort() throws Exception {
        writeMinimal("");
        assertThat(new ServerConfigLoader().load(dir).dnsResolvers()).isEmpty();

        writeMinimal("dns: { resolvers: [\"127.0.0.1:5353\", \"[::1]\", 192.0.2.53] }\n");
        assertThat(new ServerConfigLoader().load(dir).dnsResolvers()).contains(List.of(
                new InetSocketAddress("127.0.0.1", 5353), new InetSocketAddress("::1", 53), new InetSocketAddress("192.0.2.53", 53)));

        writeMinimal("dns: { resolvers: [] }\n");
        assertThat(new ServerConfigLoader().load(dir).dnsResolvers()).contains(List.of());

        writeMinimal("dns:\n  resolvers: [ns.example.test]\n");
        assertThatThrownBy(() -> new ServerConfigLoader().load(dir)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("postlet.yaml:5: dns.resolvers: 'ns.example.test' is a name; a resolver is given by its"
                        + " address — write an IP address with an optional port");
    }

    @Test
    void limitsAndImplicitTlsAreRead() throws Exception {
        writeMinimal("""
                smtp:
                  listeners:
                    - { name: smtps, bind: 127.0.0.1, port: 2465, tls: implicit, auth: required }
                  limits: { connections: 200, connectionsPerClient: 5, commandsPerSession: 300, errorsPerSession: 7,
                            authFailures: 2, authFailureDelay: 3s, authFailuresPerClient: 4 }
                """);
        ServerConfig c = new ServerConfigLoader().load(dir);
        assertThat(c.smtp().listeners().get(0).tls()).isEqualTo(TlsMode.IMPLICIT);
        assertThat(c.smtp().limits()).isEqualTo(new org.postlet.smtp.server.SmtpLimits(200, 5, 300, 7, 2, Duration.ofSeconds(3), 4));
    }

    @Test
    void limitsDefaultWhenAbsentAndMustBePositive() throws Exception {
        writeMinimal("");
        assertThat(new ServerConfigLoader().load(dir).smtp().limits()).isEqualTo(org.postlet.smtp.server.SmtpLimits.DEFAULTS);
        writeMinimal("""
                smtp:
                  limits:
                    connectionsPerClient: 0
                """);
        assertThatThrownBy(() -> new ServerConfigLoader().load(dir)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("postlet.yaml:6: smtp.limits.connectionsPerClient is 0 but must be at least 1");
    }

    @Test
    void aKeystoreThatCannotBeOpenedIsReportedWithItsLine() throws Exception {
        Path keystore = dir.resolve("keystore.p12");
        org.postlet.smtp.tls.SelfSignedKeystore.createIfMissing(keystore, "mx.example.test", "right".toCharArray());
        writeMinimal("""
                tls:
                  keystore: keystore.p12
                  password: wrong
                """);
        assertThatThrownBy(() -> new ServerConfigLoader().load(dir)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("postlet.yaml:5: cannot open keystore " + keystore.toAbsolutePath())
                .hasMessageContaining("check tls.password");
        Files.writeString(keystore, "garbage");
        writeMinimal("""
                tls:
                  keystore: keystore.p12
                  password: right
                """);
        assertThatThrownBy(() -> new ServerConfigLoader().load(dir)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("postlet.yaml:5: ");
    }

    @Test
    void aKeystoreThatDoesNotExistYetIsGeneratedLaterSoCheckAcceptsIt() throws Exception {
        writeMinimal("""
                tls:
                  keystore: tls/keystore.p12
                  password: changeit
                """);
        assertThat(new ServerConfigLoader().load(dir).tls()).isPresent();
    }

    /** Found in the fuzzing review: a NUL in a path key threw InvalidPathException instead of a problem. */
    @Test
    void aPathTheSystemCannotNameIsAProblemOnItsLine() throws Exception {
        Files.writeString(dir.resolve("users.passwd"), "alice@example.test:{PLAIN}x\n");
        Files.writeString(dir.resolve("postlet.yaml"), "hostname: mx.example.test\nspool: \"a\\0b\"\n");
        assertThatThrownBy(() -> new ServerConfigLoader().load(dir)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.problems()).anySatisfy(p -> {
                    assertThat(p.line()).isEqualTo(2);
                    assertThat(p.problem()).startsWith("spool: 'a\\0b' is not a valid path");
                }));
    }

    private void writeQueueSection(String queue) throws Exception {
        Files.writeString(dir.resolve("users.passwd"), "alice@example.test:{PLAIN}x\n");
        Files.writeString(dir.resolve("postlet.yaml"), """
                hostname: mx.example.test
                domains: [example.test]
                users: users.passwd
                smtp:
                  listeners:
                    - { name: mx, bind: 127.0.0.1, port: 2525, tls: none, auth: none }
                spool: var/spool
                storage: { maildir: { root: var/mail } }
                """ + queue);
    }

    @Test
    void aRabbitMqQueueTakesItsUriNameAndSharedFolderWithDefaults() throws Exception {
        writeQueueSection("queue: { type: rabbitmq }\n");
        ServerConfig c = new ServerConfigLoader().load(dir);
        assertThat(c.queueType()).isEqualTo(QueueType.RABBITMQ);
        assertThat(c.rabbitmq()).hasValueSatisfying(r -> {
            assertThat(r.uri().toString()).isEqualTo("amqp://guest:guest@127.0.0.1:5672/");
            assertThat(r.name()).isEqualTo("postlet");
            assertThat(r.blobs()).isEqualTo(dir.resolve("var/mail/.postlet-queue").toAbsolutePath().normalize());
        });

        writeQueueSection("queue: { type: rabbitmq, uri: \"amqps://u:p@mq.example.test:5671/mail\", name: mx-eu, blobs: /srv/shared }\n");
        ServerConfig other = new ServerConfigLoader().load(dir);
        assertThat(other.rabbitmq().orElseThrow().where()).isEqualTo("amqps://mq.example.test:5671/mail queue mx-eu");
        assertThat(other.rabbitmq().orElseThrow().blobs()).isEqualTo(Path.of("/srv/shared"));

        writeQueueSection("queue: { type: file }\n");
        assertThat(new ServerConfigLoader().load(dir).rabbitmq()).isEmpty();
    }

    @Test
    void aBadQueueUriOrNameIsAProblemOnItsLine() throws Exception {
        writeQueueSection("""
                queue:
                  type: rabbitmq
                  uri: "http://127.0.0.1:5672/"
                  name: "no spaces"
                """);
        assertThatThrownBy(() -> new ServerConfigLoader().load(dir)).isInstanceOfSatisfying(InvalidConfigException.class, e -> {
            assertThat(e.getMessage()).contains("postlet.yaml:11: queue.uri: 'http://127.0.0.1:5672/' is not an amqp:// or amqps:// URI")
                    .contains("postlet.yaml:12: queue.name: 'no spaces' is not a queue name");
        });
    }
}
