package org.postlet.server.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.testsupport.Prerequisites;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The real server's TLS as an outside scanner sees it: Debian's {@code sslscan} against an
 * implicit-TLS and a STARTTLS listener. Only TLS 1.2 and 1.3 may be offered, and only strong,
 * forward-secret AEAD suites: no NULL, EXPORT, RC4, 3DES, anonymous or CBC suite, nothing
 * sslscan rates below "acceptable".
 *
 * <p>The server runs in a JVM of its own (the launcher's {@code run} command) whose
 * {@code java.security} allows TLS 1.0 and 1.1 again, as an operator's might: the JDK's default
 * would refuse them whatever Postlet asked for, and the test would prove nothing about Postlet.
 */
class TlsScanTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void sslscanIsInstalled() {
        Prerequisites.requireCommand("sslscan", "sslscan");
    }

    private static final String LISTENERS = """
              listeners:
                - { name: smtps, bind: 127.0.0.1, port: 0, tls: implicit, auth: required }
                - { name: submission, bind: 127.0.0.1, port: 0, tls: starttls, auth: required }
            """;
    /** The JDK's default {@code jdk.tls.disabledAlgorithms} without TLSv1 and TLSv1.1. */
    private static final String LEGACY_TLS_ALLOWED =
            "jdk.tls.disabledAlgorithms=SSLv3, RC4, DES, MD5withRSA, DH keySize < 1024, EC keySize < 224, anon, NULL\n";
    private static final Pattern READY = Pattern.compile("Postlet ready: .* on \\[smtps=127\\.0\\.0\\.1:(\\d+), submission=127\\.0\\.0\\.1:(\\d+)\\]");

    private Process server;
    private int smtpsPort;
    private int submissionPort;

    @BeforeEach
    void startServer() throws Exception {
        Path conf = SmtpInstallation.writeConfig(dir, LISTENERS);
        Path security = Files.writeString(dir.resolve("java.security"), LEGACY_TLS_ALLOWED);
        Path log = dir.resolve("server.log");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        server = new ProcessBuilder(java.toString(), "-Djava.security.properties=" + security,
                "-Dpostlet.home=" + dir, "-cp", System.getProperty("java.class.path"),
                "org.postlet.server.launch.Launcher", "run", "--conf", conf.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            Matcher ready = READY.matcher(Files.exists(log) ? Files.readString(log) : "");
            if (ready.find()) {
                smtpsPort = Integer.parseInt(ready.group(1));
                submissionPort = Integer.parseInt(ready.group(2));
                return;
            }
            if (!server.isAlive()) {
                fail("the server exited with " + server.exitValue() + ":\n" + Files.readString(log));
            }
            Thread.sleep(50);
        }
        fail("the server did not report ready within 60 s:\n" + Files.readString(log));
    }

    @AfterEach
    void stopServer() throws Exception {
        server.destroy();
        if (!server.waitFor(30, TimeUnit.SECONDS)) {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void implicitTlsOffersOnlyStrongTls12And13() throws Exception {
        assertStrong(scan(smtpsPort, false));
    }

    @Test
    void starttlsOffersOnlyStrongTls12And13() throws Exception {
        assertStrong(scan(submissionPort, true));
    }

    private static void assertStrong(Element test) {
        for (Element p : children(test, "protocol")) {
            String name = p.getAttribute("type") + p.getAttribute("version");
            boolean enabled = p.getAttribute("enabled").equals("1");
            assertThat(enabled).as(name + " offered").isEqualTo(name.equals("tls1.2") || name.equals("tls1.3"));
        }
        assertThat(children(test, "protocol")).as("the protocols sslscan probed").hasSizeGreaterThanOrEqualTo(6);
        List<Element> ciphers = children(test, "cipher");
        assertThat(ciphers).as("accepted cipher suites").isNotEmpty();
        assertThat(ciphers).anyMatch(c -> c.getAttribute("sslversion").equals("TLSv1.3"))
                .anyMatch(c -> c.getAttribute("sslversion").equals("TLSv1.2"));
        for (Element c : ciphers) {
            String suite = c.getAttribute("sslversion") + " " + c.getAttribute("cipher");
            assertThat(c.getAttribute("sslversion")).as(suite).isIn("TLSv1.2", "TLSv1.3");
            assertThat(c.getAttribute("strength")).as(suite + " strength").isIn("strong", "acceptable");
            assertThat(Integer.parseInt(c.getAttribute("bits"))).as(suite + " bits").isGreaterThanOrEqualTo(128);
            assertThat(c.getAttribute("cipher")).as(suite)
                    .doesNotContain("NULL").doesNotContain("EXP").doesNotContain("RC4").doesNotContain("DES")
                    .doesNotContain("ADH").doesNotContain("AECDH").doesNotContain("anon").doesNotContain("MD5");
            if (c.getAttribute("sslversion").equals("TLSv1.2")) {
                // OpenSSL names: forward secret (ECDHE/DHE key exchange) and AEAD (GCM, ChaCha20), never CBC with SHA-1.
                assertThat(c.getAttribute("cipher")).as(suite).matches("(ECDHE|DHE)-(RSA|ECDSA)-.*(GCM|CHACHA20).*");
            }
            if (!c.getAttribute("dhebits").isEmpty()) {
                assertThat(Integer.parseInt(c.getAttribute("dhebits"))).as(suite + " DH bits").isGreaterThanOrEqualTo(2048);
            }
        }
        for (Element r : children(test, "renegotiation")) {
            assertThat(r.getAttribute("supported").equals("1") && r.getAttribute("secure").equals("0"))
                    .as("insecure renegotiation").isFalse();
        }
        for (Element h : children(test, "heartbleed")) {
            assertThat(h.getAttribute("vulnerable")).as("heartbleed " + h.getAttribute("sslversion")).isEqualTo("0");
        }
    }

    /** Runs sslscan with XML output and returns its {@code ssltest} element. */
    private static Element scan(int port, boolean starttls) throws Exception {
        // --no-groups: listing key-exchange groups waits out a timeout per group the JDK lacks (minutes);
        // the groups in use show in each suite's curve and DH size.
        List<String> command = new ArrayList<>(List.of("sslscan", "--no-colour", "--no-groups", "--xml=-"));
        if (starttls) {
            command.add("--starttls-smtp");
        }
        command.add("127.0.0.1:" + port);
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] output = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("sslscan finished").isTrue();
        String text = new String(output, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("sslscan exit status; output: %s", text).isZero();
        int start = text.indexOf("<?xml");
        assertThat(start).as("XML in sslscan's output: %s", text).isGreaterThanOrEqualTo(0);
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document document = factory.newDocumentBuilder()
                .parse(new ByteArrayInputStream(text.substring(start).getBytes(StandardCharsets.UTF_8)));
        NodeList tests = document.getElementsByTagName("ssltest");
        assertThat(tests.getLength()).as("ssltest elements in %s", text).isEqualTo(1);
        Element test = (Element) tests.item(0);
        assertThat(test.getElementsByTagName("error").getLength()).as("sslscan errors in %s", text).isZero();
        return test;
    }

    private static List<Element> children(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        List<Element> result = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            result.add((Element) nodes.item(i));
        }
        return result;
    }
}
