package org.postlet.server.e2e;

import java.io.BufferedReader;
import java.io.IOException;
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
import org.postlet.server.testing.TestConfiguration;

/**
 * A Postlet configuration in a temporary folder: the tests' copy of the shipped pipeline and users
 * ({@link TestConfiguration}), listening on
 * 127.0.0.1 with a port picked by the system, spool and maildir inside the folder.
 */
final class TestInstallation {

    final Path root;
    final Path conf;
    final Path maildir;
    final Path spool;

    TestInstallation(Path root, int port) throws IOException {
        this.root = root;
        this.conf = Files.createDirectories(root.resolve("conf"));
        this.maildir = root.resolve("var/mail");
        this.spool = root.resolve("var/spool");
        Files.writeString(conf.resolve("users.passwd"), TestConfiguration.USERS, StandardCharsets.UTF_8);
        Files.writeString(conf.resolve("pipeline.yaml"), TestConfiguration.PIPELINE, StandardCharsets.UTF_8);
        Files.writeString(conf.resolve("postlet.yaml"), """
                hostname: mx.example.test
                domains: [example.test]
                users: users.passwd
                smtp:
                  listeners:
                    - { name: mx, bind: 127.0.0.1, port: %d, tls: none, auth: none }
                  maxMessageSize: 1048576
                  authorizedNetworks: [127.0.0.0/8]
                spool: ../var/spool
                storage:
                  maildir:
                    root: ../var/mail
                    layout: "%%d/%%n"
                pipeline: pipeline.yaml
                """.formatted(port), StandardCharsets.UTF_8);
    }

    /**
     * Turns on the metrics listener on a free loopback port with the admin API behind
     * {@code token}, and gives every mailbox a quota of {@code quota} bytes (0: none), so a
     * test can make a delivery fail temporarily and the mail stay deferred in the queue.
     *
     * @return the metrics listener's port
     */
    int enableAdmin(String token, long quota) throws IOException {
        int metricsPort = org.postlet.server.durability.Installation.freePort();
        Path yaml = conf.resolve("postlet.yaml");
        String text = Files.readString(yaml, StandardCharsets.UTF_8);
        if (quota > 0) {
            text = text.replace("    layout: \"%d/%n\"\n", "    layout: \"%d/%n\"\n    quota: " + quota + "\n");
        }
        Files.writeString(yaml, text + "metrics: { http: \"127.0.0.1:" + metricsPort + "\" }\nadmin: { token: admin.token }\n",
                StandardCharsets.UTF_8);
        Files.writeString(conf.resolve("admin.token"), token + "\n", StandardCharsets.UTF_8);
        return metricsPort;
    }

    /**
     * One SMTP transaction on {@code 127.0.0.1:port}: HELO, MAIL, RCPT and DATA must be accepted;
     * returns the reply to the end of the message, where the server accepts or refuses it.
     */
    static String send(int port, String sender, String recipient, String message) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(60_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            in.readLine();
            for (String command : new String[] {"HELO client.elsewhere.test", "MAIL FROM:<" + sender + ">",
                    "RCPT TO:<" + recipient + ">", "DATA"}) {
                out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String reply = in.readLine();
                if (reply == null || !(reply.startsWith("2") || reply.startsWith("3"))) {
                    throw new AssertionError(command + " got " + reply);
                }
            }
            out.write((message + ".\r\nQUIT\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return in.readLine();
        }
    }

    /** The files in a user's {@code new/}, waiting up to 10 s until there are {@code count}. */
    List<Path> awaitMail(String user, int count) throws IOException, InterruptedException {
        return awaitFiles(maildir.resolve("example.test").resolve(user).resolve("new"), count);
    }

    static List<Path> awaitFiles(Path dir, int count) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        List<Path> files = List.of();
        while (Instant.now().isBefore(deadline)) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.list(dir)) {
                    files = s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
                }
                if (files.size() >= count) {
                    return files;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("expected " + count + " file(s) in " + dir + " within 10 s, found " + files);
    }
}
