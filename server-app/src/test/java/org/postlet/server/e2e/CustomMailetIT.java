package org.postlet.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.server.PostletServer;

/**
 * {@code examples/custom-mailet} runs in the server: its source is compiled here against the
 * mailet API the server was built with (the same classes {@code provided} gives it in its own
 * Maven build, and nothing from ~/.m2, so this works on a clean clone), put into a jar in
 * {@code lib/ext}, named in {@code pipeline.yaml} by its fully qualified class name, and the header
 * it adds is in the delivered file.
 */
class CustomMailetIT {

    private static final Path EXAMPLE = Path.of("..", "examples", "custom-mailet").toAbsolutePath().normalize();
    static final String CLASS = "org.example.postlet.StampMailet";

    @TempDir
    Path dir;

    @Test
    void theExampleMailetFromLibExtStampsTheDeliveredMail() throws Exception {
        Path home = Files.createDirectories(dir.resolve("home"));
        Path jar = buildExampleJar(Files.createDirectories(home.resolve("lib/ext")).resolve("stamp-mailet.jar"), dir);
        assertThat(jar).exists();

        TestInstallation inst = new TestInstallation(dir.resolve("inst"), 0);
        Files.writeString(inst.conf.resolve("pipeline.yaml"), """
                processors:
                  - state: root
                    mailets:
                      - { match: All, class: %s, stamp: checked-by-the-example }
                      - { match: RecipientIsLocal, class: LocalDelivery }
                      - { match: All, class: ToProcessor, processor: error }
                  - state: error
                    mailets:
                      - { match: All, class: ToRepository, path: ../var/error }
                """.formatted(CLASS));

        try (PostletServer server = PostletServer.start(inst.conf, home)) {
            Properties props = new Properties();
            props.put("mail.smtp.host", "127.0.0.1");
            props.put("mail.smtp.port", Integer.toString(server.port("mx")));
            MimeMessage message = new MimeMessage(Session.getInstance(props));
            message.setFrom(new InternetAddress("sender@example.com"));
            message.setRecipients(Message.RecipientType.TO, "alice@example.test");
            message.setSubject("stamp me");
            message.setText("A body the mailet must not touch.\n", "UTF-8");
            Transport.send(message);

            String stored = Files.readString(inst.awaitMail("alice", 1).get(0), StandardCharsets.UTF_8);
            assertThat(stored).startsWith("Return-Path: <sender@example.com>\nDelivered-To: alice@example.test\n")
                    .containsPattern("\nX-Stamp: checked-by-the-example by mx\\.example\\.test at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\n")
                    .contains("Subject: stamp me\n")
                    .endsWith("A body the mailet must not touch.\n");
        }
    }

    /** Compiles the example's main sources with the JDK's compiler (working in {@code dir}) and jars the classes. */
    static Path buildExampleJar(Path jar, Path dir) throws IOException, URISyntaxException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac).as("a JDK (not a JRE) runs the tests").isNotNull();
        List<String> sources;
        try (Stream<Path> s = Files.walk(EXAMPLE.resolve("src/main/java"))) {
            sources = s.filter(p -> p.toString().endsWith(".java")).map(Path::toString).toList();
        }
        assertThat(sources).as("sources of %s", EXAMPLE).isNotEmpty();
        Path classes = Files.createDirectories(dir.resolve("example-classes"));
        // Exactly what the example's pom makes 'provided': the mailet API (and the Jakarta Mail and
        // SLF4J APIs it exposes) and jakarta.inject, taken from where the server loads them.
        String classpath = String.join(java.io.File.pathSeparator, location(org.postlet.mailet.Mailet.class),
                location(jakarta.mail.MessagingException.class), location(jakarta.inject.Inject.class),
                location(org.slf4j.Logger.class));
        List<String> args = new ArrayList<>(List.of("--release", "17", "-d", classes.toString(), "-cp", classpath));
        args.addAll(sources);
        StringWriter out = new StringWriter();
        int rc;
        try (OutputStream err = new java.io.ByteArrayOutputStream()) {
            rc = javac.run(null, null, err, args.toArray(String[]::new));
            out.write(err.toString());
        }
        assertThat(rc).as("javac output: %s", out).isZero();
        try (JarOutputStream jos = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> s = Files.walk(classes)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                jos.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                Files.copy(p, jos);
                jos.closeEntry();
            }
        }
        return jar;
    }

    private static String location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
