package org.postlet.server.mailets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailets.StandardComponents;
import org.postlet.server.PostletServer;
import org.postlet.server.config.InvalidConfigException;
import org.postlet.server.testing.TestConfiguration;

/**
 * Drives every standard matcher and mailet through a real server: SMTP in, spool, pipeline,
 * and the files in the maildirs and repositories. The pipeline uses each component at least once,
 * and {@code check} accepts it.
 */
class StandardMailetsIT {

    static final String PIPELINE = """
            processors:
              - state: root
                mailets:
                  - { match: All, class: LogMessage, headers: Subject, bodyPreview: 20, template: "{id} from {sender}" }
                  - { match: "RelayLimit=5", class: ToProcessor, processor: error, notice: "mail loop" }
                  - { match: "TooManyRecipients=20", class: Null }
                  - { match: "RemoteAddrNotInNetwork=127.0.0.0/8, ::1", class: Null }
                  - { match: "SMTPAuthSuccessful or SMTPAuthUserIs=nobody@example.test", class: Null }
                  - { match: "RecipientIs=fwd@example.test", class: Forward, forwardTo: bob@example.test }
                  - { match: "RecipientIsRegex=^redir@.*$", class: Redirect, recipients: bob@example.test, subjectPrefix: "[redirected]" }
                  - { match: "RecipientIs=drop@elsewhere.example", class: RemoveRecipients }
                  - { match: All, class: RecipientToLowerCase }
                  - { match: All, class: RecipientRewrite, domains: "example.org=example.test" }
                  - { match: "RemoteAddrInNetwork=127.0.0.0/8 and IsSingleRecipient and SenderIsLocal and SenderIs=bob@example.test and SenderDomainIs=example.test and SenderIsRegex=^bob@.*$", class: AddHeader, name: X-From-Bob, value: "yes" }
                  - { match: SenderIsNull, class: SetMimeHeader, name: X-Null-Sender, value: "yes" }
                  - { match: "SubjectIs=headers", class: RemoveMimeHeader, name: X-Remove-Me }
                  - { match: "SubjectStartsWith=headers", class: AddSubjectPrefix, prefix: "[seen]" }
                  - { match: "SubjectMatches=footer", class: AddFooter, text: "-- the footer" }
                  - { match: "HasHeader=X-Tag:attr", class: SetMailAttribute, name: tagged, value: "yes" }
                  - { match: "HasMailAttribute=tagged=yes", class: AddHeader, name: X-Tagged, value: "yes" }
                  - { match: "HasMailAttribute=tagged", class: RemoveMailAttribute, name: tagged }
                  - { match: "HasAttachment and AttachmentFileNameIs=*.exe", class: ToProcessor, processor: quarantine }
                  - { match: "SubjectIs=never-authenticated", class: AuthenticationResults }
                  - { match: "SpfResultIs=fail or DkimResultIs=fail or DmarcResultIs=fail or DmarcDispositionIs=reject", class: Null }
                  - { match: "SubjectIs=never-signed", class: DkimSign, domain: example.test, selector: s1, required: false }
                  - { match: "SubjectIs=never-filtered", class: Rspamd, url: "http://127.0.0.1:11333" }
                  - { match: "SizeGreaterThan=50k", class: NotifyPostmaster, notice: "big mail", attachment: headers }
                  - { match: "RecipientDomainIs=example.test and RecipientDomainIsLocal and not RecipientIsLocal", class: Bounce, status: "5.1.1", notice: "no such user" }
                  - { match: IsOverQuota, class: Bounce, status: "5.2.2" }
                  - { match: "RecipientIs=lmtp@example.test", class: LmtpDelivery, host: 127.0.0.1, port: 24, timeout: 1m }
                  - { match: "HasHeader=X-Spam-Flag:YES", class: LocalDelivery, folder: Junk }
                  - { match: RecipientIsLocal, class: LocalDelivery }
                  - { match: "RecipientIs=out@elsewhere.example", class: RemoteDelivery, gateway: "127.0.0.1:1", tls: none, connectTimeout: 1s, bounceProcessor: remote-failure }
                  - { match: All, class: ToProcessor, processor: error, notice: "not local" }
              - state: remote-failure
                mailets:
                  - { match: "RemoteDeliveryFailedWithSMTPCode=552", class: Bounce, status: "5.2.2" }
                  - { match: IsRemoteDeliveryTemporaryError, class: Bounce, status: "4.4.7" }
                  - { match: IsRemoteDeliveryPermanentError, class: Bounce }
              - state: quarantine
                mailets:
                  - { match: All, class: ToRepository, path: ../var/quarantine }
              - state: error
                mailets:
                  - { match: All, class: ToRepository, path: ../var/error }
            """;

    @TempDir
    Path dir;

    private Path conf;
    private PostletServer server;
    private int port;

    @BeforeEach
    void start() throws Exception {
        conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(conf.resolve("users.passwd"), TestConfiguration.USERS);
        Files.writeString(conf.resolve("aliases"), """
                fwd@example.test: alice@example.test
                redir@example.test: alice@example.test
                postmaster@example.test: alice@example.test
                """);
        Files.writeString(conf.resolve("pipeline.yaml"), PIPELINE);
        Files.writeString(conf.resolve("postlet.yaml"), """
                hostname: mx.example.test
                domains: [example.test]
                users: users.passwd
                aliases: aliases
                smtp:
                  listeners:
                    - { name: mx, bind: 127.0.0.1, port: 0, tls: none, auth: none }
                  authorizedNetworks: [127.0.0.0/8]
                spool: ../var/spool
                storage:
                  maildir:
                    root: ../var/mail
                    layout: "%d/%n"
                pipeline: pipeline.yaml
                """);
        server = PostletServer.start(conf, dir);
        port = server.port("mx");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void checkAcceptsAPipelineWithEveryStandardComponent() throws InvalidConfigException {
        PostletServer.check(conf, dir);
        for (String name : StandardComponents.MAILETS.keySet()) {
            assertThat(PIPELINE).as("the pipeline uses " + name).contains("class: " + name);
        }
        for (String name : StandardComponents.MATCHERS.keySet()) {
            assertThat(PIPELINE).as("the pipeline uses " + name).containsPattern("[\" ]" + name + "[=\" ,}]");
        }
    }

    @Test
    void checkReportsAParameterAMailetDoesNotDeclare() throws Exception {
        Files.writeString(conf.resolve("pipeline.yaml"), """
                processors:
                  - state: root
                    mailets:
                      - { match: All, class: LocalDelivery, foldr: Junk }
                """);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PostletServer.check(conf, dir))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("pipeline.yaml:4: LocalDelivery has no parameter 'foldr' — its parameters are folder; did you mean folder?");
    }

    @Test
    void headerAndSenderMatchersAndMailets() throws Exception {
        send("bob@example.test", List.of("Alice@example.test"), "Subject: headers\r\nX-Remove-Me: 1\r\nX-Tag: attr\r\n\r\nhi\r\n");
        String delivered = Files.readString(await(mail("alice", "new"), 1).get(0));
        assertThat(delivered).contains("X-From-Bob: yes").contains("Subject: [seen] headers").contains("X-Tagged: yes")
                .doesNotContain("X-Remove-Me");
    }

    @Test
    void footerSpamFolderAndNullSender() throws Exception {
        send("", List.of("bob@example.test"), "Subject: footer\r\nX-Spam-Flag: YES\r\n\r\nbody\r\n");
        String junk = Files.readString(await(mail("bob", ".Junk/new"), 1).get(0));
        assertThat(junk).contains("X-Null-Sender: yes").contains("body").contains("-- the footer");
    }

    @Test
    void forwardRedirectRewriteAndRemove() throws Exception {
        send("carol@example.test", List.of("fwd@example.test", "redir@example.test", "drop@elsewhere.example"),
                "Subject: route\r\n\r\nroute me\r\n");
        List<Path> bobs = await(mail("bob", "new"), 2);
        String both = Files.readString(bobs.get(0)) + Files.readString(bobs.get(1));
        assertThat(both).contains("Subject: route").contains("Subject: [redirected] route");
        assertThat(dir.resolve("var/error")).doesNotExist(); // drop@elsewhere.example was removed, not kept
    }

    @Test
    void unknownLocalRecipientIsBouncedWithADsn() throws Exception {
        send("alice@example.test", List.of("nobody@example.org"), "Subject: lost\r\n\r\nlost\r\n");
        String dsn = Files.readString(await(mail("alice", "new"), 1).get(0));
        assertThat(dsn).startsWith("Return-Path: <>").contains("multipart/report").contains("report-type=delivery-status")
                .contains("Final-Recipient: rfc822; nobody@example.test").contains("Status: 5.1.1").contains("Subject: lost");
    }

    @Test
    void attachmentsQuarantineAndBigMailNotifiesThePostmaster() throws Exception {
        send("carol@example.test", List.of("alice@example.test"), """
                Subject: files\r
                MIME-Version: 1.0\r
                Content-Type: multipart/mixed; boundary="b"\r
                \r
                --b\r
                Content-Type: text/plain\r
                \r
                see attached\r
                --b\r
                Content-Type: application/octet-stream\r
                Content-Disposition: attachment; filename="setup.exe"\r
                \r
                MZ\r
                --b--\r
                """);
        assertThat(await(dir.resolve("var/quarantine"), 1)).hasSize(1);
        send("carol@example.test", List.of("bob@example.test"), "Subject: big\r\n\r\n" + "x".repeat(60_000) + "\r\n");
        await(mail("bob", "new"), 1);
        String notice = Files.readString(await(mail("alice", "new"), 1).get(0)); // postmaster is an alias of alice
        assertThat(notice).contains("big mail").contains("text/rfc822-headers");
    }

    private Path mail(String user, String sub) {
        return dir.resolve("var/mail/example.test").resolve(user).resolve(sub);
    }

    private void send(String from, List<String> to, String message) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            expect(in, "220");
            command(out, in, "EHLO client.example", "250");
            command(out, in, "MAIL FROM:<" + from + ">", "250");
            for (String r : to) {
                command(out, in, "RCPT TO:<" + r + ">", "250");
            }
            command(out, in, "DATA", "354");
            out.write(message.getBytes(StandardCharsets.UTF_8));
            command(out, in, ".", "250");
            command(out, in, "QUIT", "221");
        }
    }

    private static void command(OutputStream out, BufferedReader in, String line, String code) throws Exception {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        expect(in, code);
    }

    private static void expect(BufferedReader in, String code) throws Exception {
        String line = in.readLine();
        String first = line;
        while (line != null && line.length() > 3 && line.charAt(3) == '-') {
            line = in.readLine();
        }
        assertThat(first).startsWith(code);
    }

    private static List<Path> await(Path folder, int count) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        List<Path> files = List.of();
        while (Instant.now().isBefore(deadline)) {
            if (Files.isDirectory(folder)) {
                try (Stream<Path> s = Files.list(folder)) {
                    files = s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
                }
                if (files.size() >= count) {
                    return files;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("expected " + count + " file(s) in " + folder + " within 10 s, found " + files);
    }
}
