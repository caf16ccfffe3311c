package org.postlet.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.server.PostletServer;

/**
 * The admin API over real HTTP against a running server whose mailboxes are over quota, so a
 * mail to alice stays deferred in the queue: found, held, released, flushed and deleted; a mail
 * for another domain kept in var/error, shown, requeued and deleted; the pipeline with its
 * counters; reload; and the token: 401 without or with a wrong one, off without the file.
 */
class AdminApiTest {

    private static final String TOKEN = "test-token-0123456789abcdef";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private TestInstallation installation;
    private PostletServer server;
    private String base;

    @BeforeEach
    void start() throws Exception {
        installation = new TestInstallation(dir, 0);
        int metricsPort = installation.enableAdmin(TOKEN, 10);
        server = PostletServer.start(installation.conf, dir);
        base = "http://127.0.0.1:" + metricsPort;
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aDeferredMailIsFoundHeldReleasedFlushedAndDeleted() throws Exception {
        send("alice@example.test", "over quota");
        JsonNode mail = await("/api/queue", q -> q.get("mails").size() == 1
                && q.get("mails").get(0).get("state").asText().equals("deferred")).get("mails").get(0);
        String id = mail.get("id").asText();
        assertThat(mail.get("sender").asText()).isEqualTo("a@example.com");
        assertThat(mail.get("recipients").get(0).asText()).isEqualTo("alice@example.test");
        assertThat(mail.get("attempts").asInt()).isEqualTo(1);
        assertThat(mail.get("lastError").asText()).containsIgnoringCase("quota");
        assertThat(mail.get("size").asLong()).isPositive();
        assertThat(mail.get("origin").asText()).startsWith("smtp mx from 127.0.0.1");

        JsonNode shown = tree(get("/api/queue/" + id));
        assertThat(shown.get("id").asText()).isEqualTo(id);
        assertThat(shown.get("processor").asText()).isEqualTo("root");
        assertThat(shown.get("headers").asText()).contains("Subject: over quota\r\n").startsWith("Received: ");
        assertThat(call("POST", "/api/queue/" + id + "/hold").statusCode()).isEqualTo(200);
        assertThat(tree(get("/api/queue/" + id)).get("state").asText()).isEqualTo("held");
        assertThat(tree(get("/api/queue")).get("held").asInt()).isEqualTo(1);
        assertThat(tree(get("/api/queue?state=held")).get("mails").size()).isEqualTo(1);
        assertThat(tree(get("/api/queue?state=deferred")).get("mails").size()).isZero();
        assertThat(tree(get("/api/queue?limit=0")).get("mails").size()).isZero();
        assertThat(get("/api/queue?state=stuck").statusCode()).isEqualTo(400);
        assertThat(call("POST", "/api/queue/" + id + "/release").statusCode()).isEqualTo(200);
        assertThat(tree(get("/api/queue/" + id)).get("state").asText()).isEqualTo("deferred");
        assertThat(call("POST", "/api/queue/" + id + "/release").statusCode()).as("not held any more").isEqualTo(409);

        HttpResponse<String> flushed = call("POST", "/api/queue/flush");
        assertThat(flushed.statusCode()).isEqualTo(200);
        assertThat(tree(flushed).get("flushed").asInt()).isEqualTo(1);
        await("/api/queue/" + id, m -> m.get("attempts").asInt() == 2); // tried again at once, still over quota

        HttpResponse<String> deleted = call("DELETE", "/api/queue/" + id);
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
        assertThat(get("/api/queue/" + id).statusCode()).isEqualTo(404);
        assertThat(tree(get("/api/queue")).get("mails").size()).isZero();
        assertThat(call("DELETE", "/api/queue/" + id).statusCode()).isEqualTo(404);
    }

    @Test
    void aMailKeptInErrorIsListedShownRequeuedAndDeleted() throws Exception {
        send("carol@elsewhere.example", "to nowhere");
        JsonNode error = await("/api/repositories", r -> count(r, "error") == 1);
        assertThat(names(error)).containsExactly("relay", "error");
        JsonNode kept = tree(get("/api/repositories/error")).get("mails").get(0);
        String id = kept.get("id").asText();
        assertThat(kept.get("recipients").get(0).asText()).isEqualTo("carol@elsewhere.example");
        assertThat(kept.get("error").asText()).contains("no local mailbox and no remote delivery");
        assertThat(tree(get("/api/repositories/error/" + id)).get("headers").asText()).contains("Subject: to nowhere\r\n");
        assertThat(get("/api/repositories/error/..%2F..%2Fconf%2Fadmin.token").statusCode()).isEqualTo(404);

        HttpResponse<String> requeued = call("POST", "/api/repositories/error/" + id + "/requeue");
        assertThat(requeued.statusCode()).as(requeued.body()).isEqualTo(200);
        // Processed again with the same pipeline, it lands in error again: a new file, the old one gone.
        JsonNode again = await("/api/repositories/error", r -> r.get("mails").size() == 1
                && !r.get("mails").get(0).get("id").asText().equals(id)).get("mails").get(0);
        assertThat(again.get("id").asText()).isEqualTo(tree(requeued).get("id").asText());
        assertThat(call("DELETE", "/api/repositories/error/" + again.get("id").asText()).statusCode()).isEqualTo(200);
        assertThat(tree(get("/api/repositories/error")).get("mails").size()).isZero();
        assertThat(get("/api/repositories/nowhere").statusCode()).isEqualTo(404);
    }

    @Test
    void thePipelineShowsProcessorsStepsTheirCountersAndWhereTheySendMail() throws Exception {
        send("alice@example.test", "counted");
        JsonNode pipeline = await("/api/pipeline", p -> p.get("processors").get(0).get("mails").asLong() >= 1);
        List<String> processors = new ArrayList<>();
        pipeline.get("processors").forEach(p -> processors.add(p.get("name").asText()));
        assertThat(processors).containsExactly("root", "local", "relay", "unknown-recipient", "error");
        JsonNode toLocal = pipeline.get("processors").get(0).get("steps").get(4);
        assertThat(toLocal.get("mailet").asText()).isEqualTo("ToProcessor");
        assertThat(toLocal.get("match").asText()).isEqualTo("RecipientIsLocal");
        assertThat(toLocal.get("sendsTo").get(0).asText()).isEqualTo("local");
        assertThat(toLocal.get("calls").asLong()).isEqualTo(1);
        // LocalDelivery fails over quota: counted as an exception of that step.
        JsonNode local = await("/api/pipeline", p -> p.get("processors").get(1).get("steps").get(1).get("exceptions").asLong() >= 1)
                .get("processors").get(1).get("steps");
        // counted per step, though both steps are LocalDelivery: the Junk one never ran
        assertThat(local.get(0).get("calls").asLong()).isZero();
        assertThat(local.get(1).get("calls").asLong()).isEqualTo(local.get(1).get("exceptions").asLong());
        await("/api/recent", r -> r.get("outcomes").size() >= 1
                && r.get("outcomes").get(0).get("result").asText().equals("DEFERRED"));

        HttpResponse<String> reload = call("POST", "/api/reload");
        assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
        Files.writeString(installation.conf.resolve("pipeline.yaml"),
                "processors:\n  - state: root\n    mailets:\n      - { match: All, class: Teleport }\n");
        HttpResponse<String> refused = call("POST", "/api/reload");
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(refused.body()).contains("unknown mailet 'Teleport'");
    }

    @Test
    void withoutTheRightTokenNothingIsShownAndWithoutTheFileTheApiIsOff() throws Exception {
        HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create(base + "/api/queue")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"postlet\"");
        HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(base + "/api/queue"))
                .header("Authorization", "Bearer " + TOKEN + "x").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).doesNotContain("mails");
        assertThat(get("/api/queue").statusCode()).isEqualTo(200);

        Files.delete(installation.conf.resolve("admin.token"));
        HttpResponse<String> off = get("/api/queue");
        assertThat(off.statusCode()).isEqualTo(404);
        assertThat(off.body()).contains("the admin API is off").contains("head -c 32 /dev/urandom");
        Files.writeString(installation.conf.resolve("admin.token"), "short\n");
        assertThat(get("/api/queue").statusCode()).as("a guessable token is refused").isEqualTo(404);
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).as("the console itself holds no data").isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
                assertThat(csp).contains("script-src 'self'").contains("frame-ancestors 'none'"));
        assertThat(page.body()).contains("<script src=\"console.js\"").doesNotContain("<script>");
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
        // metrics and health stay open, as before
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    private static int count(JsonNode repositories, String name) {
        for (JsonNode r : repositories.get("repositories")) {
            if (r.get("name").asText().equals(name)) {
                return r.get("mails").asInt();
            }
        }
        return -1;
    }

    private static List<String> names(JsonNode repositories) {
        List<String> out = new ArrayList<>();
        repositories.get("repositories").forEach(r -> out.add(r.get("name").asText()));
        return out;
    }

    private JsonNode await(String path, Predicate<JsonNode> until) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = get(path);
            last = r.statusCode() + " " + r.body();
            if (r.statusCode() == 200 && until.test(tree(r))) {
                return tree(r);
            }
            Thread.sleep(50);
        }
        throw new AssertionError(path + " did not become as expected within 20 s; last answer: " + last);
    }

    private JsonNode tree(HttpResponse<String> r) throws IOException {
        return json.readTree(r.body());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return call("GET", path);
    }

    private HttpResponse<String> call(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + TOKEN)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void send(String to, String subject) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port("mx"))) {
            s.getOutputStream().write(("HELO t\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<" + to + ">\r\nDATA\r\n"
                    + "Subject: " + subject + "\r\n\r\n" + subject + "\r\n.\r\nQUIT\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).contains("250 2.0.0");
        }
    }
}
