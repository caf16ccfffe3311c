package org.postlet.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.server.PostletServer;
import org.postlet.testsupport.Prerequisites;

/**
 * The web console in a real browser (Debian's chromium, headless): with the token it draws the
 * default pipeline's processors and shows the mail just sent, deferred in the queue and in the
 * recent outcomes; without it, it asks for the token and shows no data. A screenshot is left in
 * {@code target/console.png} for people to look at.
 */
class ConsoleBrowserIT {

    private static final String TOKEN = "browser-test-token-0123456789";

    @TempDir
    Path dir;

    private PostletServer server;
    private String base;

    @BeforeEach
    void start() throws Exception {
        Prerequisites.requireCommand("chromium", "chromium");
        TestInstallation installation = new TestInstallation(dir, 0);
        int metricsPort = installation.enableAdmin(TOKEN, 10); // alice's mailbox is over quota: her mail stays deferred
        server = PostletServer.start(installation.conf, dir);
        base = "http://127.0.0.1:" + metricsPort;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theConsoleShowsThePipelineAndTheMailJustSent() throws Exception {
        String deferred = send("alice@example.test", "waits in the queue");
        String kept = send("carol@elsewhere.example", "kept in error");
        awaitApi("/api/recent", deferred, kept);

        String dom = chromium("--dump-dom", base + "/#token=" + TOKEN);
        for (String processor : List.of("root", "local", "relay", "unknown-recipient", "error")) {
            assertThat(dom).as(dom).contains("data-processor=\"" + processor + "\"");
        }
        assertThat(dom).contains(">[4] RecipientIsLocal → ToProcessor<title>").contains("data-from=\"root\" data-to=\"local\"");
        // the deferred mail in the queue, with its state and error; both in the recent outcomes
        Matcher queueRow = Pattern.compile("<tr class=\"deferred\" data-id=\"" + deferred + "\">(.*?)</tr>").matcher(dom);
        assertThat(queueRow.find()).as(dom).isTrue();
        assertThat(queueRow.group(1)).contains("alice@example.test").contains("over quota");
        assertThat(dom).containsPattern("<tr class=\"DONE\" data-id=\"" + kept + "\">.*<td>error</td>").contains("<tr class=\"DEFERRED\" data-id=\"" + deferred + "\">");
        assertThat(dom).as("the token left the address bar and is nowhere in the page").doesNotContain(TOKEN);

        Path screenshot = Path.of("target/console.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        chromium("--screenshot=" + screenshot, "--window-size=1500,1100", base + "/#token=" + TOKEN);
        assertThat(screenshot).exists();
        assertThat(Files.size(screenshot)).isGreaterThan(10_000);
    }

    @Test
    void withoutTheTokenTheConsoleAsksForItAndShowsNothing() throws Exception {
        String deferred = send("alice@example.test", "not for strangers");
        awaitApi("/api/queue", deferred);
        String dom = chromium("--dump-dom", base + "/");
        assertThat(dom).contains("<form id=\"login\">").contains("<main id=\"console\" hidden=\"\">").doesNotContain(deferred);
        String wrong = chromium("--dump-dom", base + "/#token=not-the-token-at-all");
        assertThat(wrong).contains("The server refused that token.").doesNotContain(deferred);
    }

    /** Runs headless chromium on a new profile and returns what it printed. */
    private String chromium(String... args) throws Exception {
        Path profile = Files.createTempDirectory(dir, "chromium-profile");
        List<String> command = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--virtual-time-budget=8000"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(dir.resolve("chromium.log").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("chromium finished within 90 s").isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("chromium.log"))).isZero();
        return out;
    }

    /** Waits until the API lists every one of {@code ids} at {@code path}. */
    private void awaitApi(String path, String... ids) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            body = http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + TOKEN).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            if (List.of(ids).stream().allMatch(body::contains)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(path + " did not list " + List.of(ids) + " within 20 s: " + body);
    }

    /** Sends one mail and returns its queue id. */
    private String send(String to, String subject) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port("mx"))) {
            s.getOutputStream().write(("HELO t\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<" + to + ">\r\nDATA\r\n"
                    + "Subject: " + subject + "\r\n\r\n" + subject + "\r\n.\r\nQUIT\r\n").getBytes(StandardCharsets.US_ASCII));
            String replies = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            Matcher queued = Pattern.compile("queued as (\\w+)").matcher(replies);
            assertThat(queued.find()).as(replies).isTrue();
            return queued.group(1);
        }
    }
}
