package org.postlet.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.server.PostletServer;
import org.postlet.server.config.ConfigProblem;
import org.postlet.server.config.InvalidConfigException;
import org.postlet.server.config.ServerConfigLoader;
import org.postlet.testsupport.Prerequisites;

/**
 * The documentation is what a user follows without the code at hand, so it is tested like code,
 * from the unpacked tarball a user reads it in: the README's first SMTP session typed with
 * {@code nc -C} into the running server, every complete pipeline and {@code postlet.yaml} in
 * {@code docs/} through the server's own check, a section in {@code docs/commands.md} for every
 * launcher command, an index entry for every document, and no pointer to files outside the
 * repository.
 */
class DocumentationIT {

    private static final Pattern FENCE = Pattern.compile("```(yaml|xml)\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern REPLY = Pattern.compile("\\d{3}[ -].*");
    /** The README's session begins with the command that opens it: nc, its options, host and port. */
    private static final Pattern SESSION_START = Pattern.compile("^\\$ (nc(?: -\\w+)*) localhost 2525$", Pattern.MULTILINE);

    @TempDir
    Path dir;
    private Path home;

    @BeforeEach
    void unpack() throws Exception {
        home = Tarball.unpack(dir);
    }

    @Test
    void theReadmeSessionWorksExactlyAsTypedWithNcC() throws Exception {
        String readme = Files.readString(home.resolve("README.md"), StandardCharsets.UTF_8);
        Matcher start = SESSION_START.matcher(readme);
        assertThat(start.find()).as("README.md shows a session opened with '$ nc … localhost 2525'").isTrue();
        List<String> nc = List.of(start.group(1).split(" "));
        List<String> session = readmeSession(readme, start.end());
        Prerequisites.requireCommand("nc", "netcat-openbsd");

        Path conf = home.resolve("conf");
        Path maildir = dir.resolve("data/mail");
        int port = DistributionIT.freePort();
        DistributionIT.configure(conf, port, dir.resolve("data/spool"), maildir);
        Path log = dir.resolve("postlet.log");
        Process server = new ProcessBuilder(home.resolve("bin/postlet").toString(), "run", "--conf", conf.toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            DistributionIT.awaitGreeting(server, port, log);
            List<String> transcript = type(nc, session, port, log);
            assertThat(transcript).as("what nc showed").hasSameSizeAs(session.stream().filter(l -> REPLY.matcher(l).matches()).toList());
            Path delivered = DistributionIT.awaitFile(maildir.resolve("example.test/alice/new"), Duration.ofSeconds(30), log);
            assertThat(Files.readString(delivered, StandardCharsets.ISO_8859_1))
                    .startsWith("Return-Path: <user1@example.com>\nDelivered-To: alice@example.test\nReceived: ")
                    .contains("\nSubject: hello\n\nHi Alice!\n");
        } finally {
            server.toHandle().destroy();
            if (!server.waitFor(60, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Runs nc as the README does, types the README's lines into it one by one and compares each
     * reply nc prints with the one the README shows (the queue id aside, which is new every time).
     */
    private static List<String> type(List<String> command, List<String> session, int port, Path log) throws Exception {
        List<String> args = new ArrayList<>(command);
        args.addAll(List.of("127.0.0.1", Integer.toString(port)));
        Process nc = new ProcessBuilder(args).redirectErrorStream(true).start();
        BlockingQueue<String> shown = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(nc.getInputStream(), StandardCharsets.US_ASCII))) {
                for (String line; (line = r.readLine()) != null; ) {
                    shown.add(line);
                }
            } catch (IOException ignored) {
                // nc ended; what it printed is in the queue
            }
        });
        reader.start();
        List<String> transcript = new ArrayList<>();
        try {
            try (OutputStream keyboard = nc.getOutputStream()) {
                for (String line : session) {
                    if (REPLY.matcher(line).matches()) {
                        String reply = shown.poll(30, TimeUnit.SECONDS);
                        assertThat(reply).as("no reply within 30 s after %s; nc showed %s; server log:%n%s",
                                transcript.isEmpty() ? "connecting" : "typing the README's lines up to '" + line + "'",
                                transcript, DistributionIT.read(log)).isNotNull();
                        transcript.add(reply);
                        assertThat(withoutQueueId(reply)).as("reply %d of the README's session", transcript.size())
                                .isEqualTo(withoutQueueId(line));
                    } else {
                        keyboard.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
                        keyboard.flush();
                    }
                }
            } // Ctrl-D, as the README says
            assertThat(nc.waitFor(30, TimeUnit.SECONDS)).as("nc ends on Ctrl-D after QUIT").isTrue();
        } finally {
            if (nc.isAlive()) {
                nc.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        reader.join(5000);
        assertThat(shown).as("nc showed more than the README").isEmpty();
        return transcript;
    }

    private static String withoutQueueId(String reply) {
        return reply.replaceAll("queued as \\S+", "queued as <id>");
    }

    /** The lines of the README's session after the nc command, up to the end of its code block. */
    private static List<String> readmeSession(String readme, int afterCommand) {
        String block = readme.substring(afterCommand + 1, readme.indexOf("```", afterCommand));
        List<String> lines = block.lines().toList();
        assertThat(lines).as("the README's session").isNotEmpty();
        assertThat(lines.get(0)).startsWith("220 ");
        assertThat(lines.get(lines.size() - 1)).startsWith("221 ");
        return lines;
    }

    @Test
    void everyCompletePipelineAndConfigurationInTheDocsPassesCheck() throws Exception {
        int checked = 0;
        for (String doc : List.of("docs/pipeline.md", "docs/configuration.md")) {
            Matcher m = FENCE.matcher(Files.readString(home.resolve(doc), StandardCharsets.UTF_8));
            while (m.find()) {
                String lang = m.group(1);
                String text = m.group(2);
                String first = text.strip();
                boolean pipeline = first.startsWith("processors:") || first.startsWith("<processors>");
                boolean main = first.startsWith("hostname:") || first.startsWith("<postlet>");
                if (!pipeline && !main) {
                    continue; // a fragment: a step, a key, an output
                }
                Path conf = Files.createDirectories(dir.resolve("example-" + ++checked));
                copyShippedConfiguration(conf);
                if (pipeline) {
                    Files.writeString(conf.resolve("pipeline." + lang), text, StandardCharsets.UTF_8);
                    String yaml = Files.readString(conf.resolve("postlet.yaml"), StandardCharsets.UTF_8);
                    assertThat(yaml).contains("\npipeline: pipeline.yaml\n");
                    Files.writeString(conf.resolve("postlet.yaml"), yaml.replace("\npipeline: pipeline.yaml\n",
                            "\npipeline: pipeline." + lang + "\n"), StandardCharsets.UTF_8);
                } else {
                    Files.delete(conf.resolve("postlet.yaml"));
                    Files.writeString(conf.resolve("postlet." + lang), text, StandardCharsets.UTF_8);
                }
                try {
                    PostletServer.check(conf, home).pipeline().destroy();
                } catch (InvalidConfigException e) {
                    fail("example %d of %s does not pass bin/postlet check:%n%s%n%s", checked, doc,
                            e.problems().stream().map(ConfigProblem::toString).reduce("", (a, b) -> a + b + "\n"), text);
                }
            }
        }
        assertThat(checked).as("complete examples found in pipeline.md and configuration.md").isGreaterThanOrEqualTo(8);
    }

    private void copyShippedConfiguration(Path target) throws IOException {
        try (Stream<Path> files = Files.list(home.resolve("conf"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, target.resolve(f.getFileName()));
            }
        }
    }

    @Test
    void everyLauncherCommandHasItsSectionInCommandsMdAndALineInTheReadme() throws Exception {
        Process help = new ProcessBuilder(home.resolve("bin/postlet").toString(), "help").redirectErrorStream(true).start();
        String usage = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(help.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(help.exitValue()).as(usage).isZero();
        List<String> commands = usage.lines().map(Pattern.compile("^  ([a-z]+)\\s.*")::matcher).filter(Matcher::matches)
                .map(x -> x.group(1)).toList();
        assertThat(commands).as("commands in the usage text").contains("run", "check", "trace", "passwd", "requeue", "reload");

        String reference = Files.readString(home.resolve("docs/commands.md"), StandardCharsets.UTF_8);
        String readme = Files.readString(home.resolve("README.md"), StandardCharsets.UTF_8);
        for (String command : commands) {
            assertThat(reference).as("docs/commands.md has a section for " + command).contains("\n## `" + command + "`");
            assertThat(readme).as("README.md's command table names " + command).contains("| `bin/postlet " + command);
        }
    }

    /**
     * Every key the loader accepts has its row in configuration.md's table. The loader's key set is
     * private, being its own business; reading it here keeps the table honest without widening it.
     */
    @Test
    void configurationMdDescribesEveryKeyTheServerAccepts() throws Exception {
        Field field = ServerConfigLoader.class.getDeclaredField("KEYS");
        field.setAccessible(true);
        @SuppressWarnings("unchecked")
        Set<String> keys = (Set<String>) field.get(null);
        assertThat(keys).contains("hostname", "smtp.listeners.port", "storage.maildir.layout");
        String configuration = Files.readString(home.resolve("docs/configuration.md"), StandardCharsets.UTF_8);
        for (String key : new TreeSet<>(keys)) {
            String documented = key.replace("smtp.listeners.", "smtp.listeners[].");
            assertThat(configuration).as("docs/configuration.md has a row for " + documented).contains("\n| `" + documented + "` |");
        }
    }

    @Test
    void theIndexesListEveryDocument() throws IOException {
        String index = Files.readString(home.resolve("docs/README.md"), StandardCharsets.UTF_8);
        String readme = Files.readString(home.resolve("README.md"), StandardCharsets.UTF_8);
        try (Stream<Path> docs = Files.list(home.resolve("docs"))) {
            for (String name : docs.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".md")).sorted().toList()) {
                if (!name.equals("README.md")) {
                    assertThat(index).as("docs/README.md lists " + name).contains("](" + name + ")");
                }
                assertThat(readme).as("README.md's Documentation section lists docs/" + name).contains("](docs/" + name + ")");
            }
        }
    }

    /**
     * Neither a clone nor the tarball has the files outside the repository that the project was
     * specified in; a reader sent there finds nothing. Written so this file does not match itself.
     */
    @Test
    void noFileSendsTheReaderOutsideTheRepository() throws IOException {
        Pattern outside = Pattern.compile("\\.\\./shared\\b|contract\\.md|contract \u00a7");
        Set<String> skipped = Set.of(".git", "target", "node_modules", ".idea");
        Set<String> runtime = Set.of("var", "lib"); // a checkout's own run: data, and jars put into lib/ext
        List<String> hits = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Tarball.SOURCE)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path relative = Tarball.SOURCE.relativize(f);
                boolean inSkipped = runtime.contains(relative.getName(0).toString());
                for (Path part : relative) {
                    inSkipped |= skipped.contains(part.toString());
                }
                if (inSkipped || Files.size(f) > 2_000_000) {
                    continue;
                }
                byte[] bytes = Files.readAllBytes(f);
                if (new String(bytes, 0, Math.min(bytes.length, 8000), StandardCharsets.ISO_8859_1).indexOf('\0') >= 0) {
                    continue; // binary
                }
                List<String> lines = new String(bytes, StandardCharsets.UTF_8).lines().toList();
                for (int i = 0; i < lines.size(); i++) {
                    if (outside.matcher(lines.get(i)).find()) {
                        hits.add(relative + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        assertThat(hits).as("lines that send the reader outside the repository; describe the thing in docs/ instead").isEmpty();
    }

}
