package org.postlet.server.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's commands in this JVM, with their real files: what each prints on stdout and stderr, and its exit code. */
class LauncherTest {

    @TempDir
    Path dir;

    private Path conf;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void installation() throws Exception {
        conf = Files.createDirectories(dir.resolve("conf"));
        Files.copy(Path.of("..", "conf", "pipeline.yaml"), conf.resolve("pipeline.yaml"));
        Files.writeString(conf.resolve("users.passwd"), "alice@example.test:{PLAIN}secret\n");
        writeConfig("  authorizedNetworks: []\n");
    }

    private void writeConfig(String smtpExtra) throws Exception {
        Files.writeString(conf.resolve("postlet.yaml"), """
                hostname: mx.example.test
                domains: [example.test]
                users: users.passwd
                smtp:
                  listeners:
                    - { name: mx, bind: 127.0.0.1, port: 2525, tls: none, auth: none }
                    - { name: submission, bind: 127.0.0.1, port: 2587, tls: starttls, auth: required }
                  maxMessageSize: 1MB
                """ + smtpExtra + """
                spool: ../var/spool
                storage: { maildir: { root: ../var/mail } }
                """);
    }

    /** A pipeline with one problem, on line 4: an unknown mailet. */
    private void writeBrokenPipeline() throws Exception {
        Files.writeString(conf.resolve("pipeline.yaml"), """
                processors:
                  - state: root
                    mailets:
                      - { match: All, class: Teleport }
                """);
    }

    private int run(String... args) {
        return new Launcher(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), dir)
                .execute(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void checkPrintsTheEffectiveSecuritySettings() {
        assertThat(run("check", "--conf", conf.toString())).as(err()).isZero();
        assertThat(out().lines().toList()).singleElement().asString().contains("postlet.yaml: valid — 2 listener(s)");
        assertThat(err()).contains("  smtp.listeners.mx = 127.0.0.1:2525 tls=none auth=none\n")
                .contains("  smtp.listeners.submission = 127.0.0.1:2587 tls=starttls auth=required\n")
                .contains("  smtp.authorizedNetworks = (none: no client may relay without AUTH)\n")
                .contains("  domains = example.test\n")
                .contains("  smtp.maxMessageSize = 1048576\n");
    }

    @Test
    void checkShowsTheLoopbackDefaultWhenTheKeyIsLeftOut() throws Exception {
        writeConfig("");
        assertThat(run("check", "--conf", conf.toString())).as(err()).isZero();
        assertThat(err()).contains("  smtp.authorizedNetworks = 127.0.0.0/8, ::1/128\n");
    }

    @Test
    void checkListsTheAliasesAndThePipelineProblemsTogether() throws Exception {
        Files.writeString(conf.resolve("aliases"), "info@example.test alice@example.test\n");
        Files.writeString(conf.resolve("postlet.yaml"), Files.readString(conf.resolve("postlet.yaml")) + "aliases: aliases\n");
        writeBrokenPipeline();
        assertThat(run("check", "--conf", conf.toString())).isEqualTo(1);
        assertThat(err()).contains(conf.resolve("aliases") + ":1: missing ':' between the alias and its targets")
                .contains(conf.resolve("pipeline.yaml") + ":4: unknown mailet 'Teleport'")
                .contains("2 problem(s)");
    }

    @Test
    void checkListsTheMainFilesAndThePipelinesProblemsTogether() throws Exception {
        writeConfig("  maxRecipeints: 5\n");
        writeBrokenPipeline();
        assertThat(run("check", "--conf", conf.toString())).isEqualTo(1);
        assertThat(err()).contains(conf.resolve("postlet.yaml") + ":9: unknown key 'smtp.maxRecipeints' — did you mean 'smtp.maxRecipients'?")
                .contains(conf.resolve("pipeline.yaml") + ":4: unknown mailet 'Teleport'")
                .contains("2 problem(s)");
    }

    @Test
    void checkFindsARepositoryFolderThatCannotBeCreated() throws Exception {
        Files.writeString(dir.resolve("var"), "a file where the folder should be");
        Files.writeString(conf.resolve("pipeline.yaml"), """
                processors:
                  - state: root
                    mailets:
                      - { match: All, class: ToRepository, path: ../var/error }
                """);
        writeConfig("");
        Files.writeString(conf.resolve("postlet.yaml"), Files.readString(conf.resolve("postlet.yaml"))
                .replace("spool: ../var/spool", "spool: ../spool").replace("root: ../var/mail", "root: ../mail"));
        assertThat(run("check", "--conf", conf.toString())).isEqualTo(1);
        assertThat(err()).contains(conf.resolve("pipeline.yaml") + ":4: ")
                .contains("repository folder " + dir.resolve("var/error") + " cannot be created: " + dir.resolve("var") + " is not a folder")
                .contains("make it writable for user '" + System.getProperty("user.name") + "'");
    }

    @Test
    void traceprintsWhatMailetsWouldDoOnItsOutputNotInTheLog() throws Exception {
        ch.qos.logback.classic.Logger mailetLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.postlet.mailet");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged = new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        mailetLog.addAppender(logged);
        try {
            Files.writeString(conf.resolve("pipeline.yaml"), """
                    processors:
                      - state: root
                        mailets:
                          - { match: All, class: LocalDelivery, folder: Junk }
                    """);
            Path eml = Files.writeString(dir.resolve("m.eml"), "Subject: t\n\nbody\n");
            assertThat(run("trace", "--conf", conf.toString(), "--from", "a@example.com", "--to", "alice@example.test",
                    eml.toString())).as(err()).isZero();
            assertThat(out()).contains("would deliver to maildir alice@example.test folder Junk");
            assertThat(logged.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .noneMatch(m -> m.contains("would deliver"));
            assertThat(dir.resolve("var/mail")).doesNotExist();
        } finally {
            mailetLog.detachAppender(logged);
        }
    }

    @Test
    void requeueOfAMissingFileSaysWhichAndWhy() {
        Path missing = dir.resolve("var/error/NOSUCHMAIL");
        assertThat(run("requeue", "--conf", conf.toString(), missing.toString())).isEqualTo(1);
        assertThat(err()).contains("not requeued: " + missing + ": no such file — name the kept mails themselves");
    }

    @Test
    void queueWithoutASubcommandOrIdIsAUsageError() {
        assertThat(run("queue", "--conf", conf.toString())).isEqualTo(2);
        assertThat(run("queue", "hold", "--conf", conf.toString())).isEqualTo(2);
        assertThat(run("queue", "list", "extra", "--conf", conf.toString())).isEqualTo(2);
        assertThat(run("queue", "purge", "--conf", conf.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("postlet queue: give list, flush, or show|hold|release|delete and a queue id");
    }

    @Test
    void repositoryNeedsANameAndAnIdToActOnAMail() {
        assertThat(run("repository", "--conf", conf.toString())).isEqualTo(2);
        assertThat(run("repository", "show", "error", "--conf", conf.toString())).isEqualTo(2);
        assertThat(run("repository", "list", "error", "extra", "--conf", conf.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("postlet repository: give list [NAME], or show|requeue|delete");
        err.reset();
        assertThat(run("repository", "list", "--conf", conf.toString())).as("a valid command, but no API").isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("postlet repository list: the admin API is off in");
    }

    @Test
    void queueSaysWhatIsMissingBeforeAskingAServer() throws Exception {
        assertThat(run("queue", "list", "--conf", conf.toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("the admin API is off in " + conf.resolve("postlet.yaml"))
                .contains("set metrics: { http: 127.0.0.1:9025 }");
        err.reset();
        Files.writeString(conf.resolve("postlet.yaml"), Files.readString(conf.resolve("postlet.yaml")) + "metrics: { http: \"127.0.0.1:9\" }\n");
        assertThat(run("queue", "list", "--conf", conf.toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no admin token in " + conf.resolve("admin.token"))
                .contains("head -c 32 /dev/urandom | base64 > " + conf.resolve("admin.token"));
        err.reset();
        Files.writeString(conf.resolve("admin.token"), "a-token-long-enough-to-use\n");
        assertThat(run("queue", "flush", "--conf", conf.toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("postlet queue flush: no server is running with this configuration");
    }

    @Test
    void queueAgesReadAsAPersonWouldSayThem() {
        assertThat(QueueCommand.age(7)).isEqualTo("7s");
        assertThat(QueueCommand.age(252)).isEqualTo("4m12s");
        assertThat(QueueCommand.age(3 * 3600 + 120 + 5)).isEqualTo("3h2m");
        assertThat(QueueCommand.age(2 * 86400 + 3 * 3600)).isEqualTo("2d3h");
    }
}
