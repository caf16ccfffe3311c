package org.postlet.server.launch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.postlet.server.PidFile;
import org.postlet.server.admin.AdminToken;
import org.postlet.server.config.ServerConfig;
import org.postlet.server.metrics.MetricsAddress;

/**
 * {@code bin/postlet queue list|show|hold|release|delete|flush}: a client of the running server's
 * admin API, which it finds through the configuration ({@code metrics.http} and {@code admin.token}),
 * so it acts on whatever queue the server uses.
 */
final class QueueCommand {

    /** What the command can do; each is one request to the API. */
    enum Action {
        LIST(false), SHOW(true), HOLD(true), RELEASE(true), DELETE(true), FLUSH(false);

        final boolean needsId;

        Action(boolean needsId) {
            this.needsId = needsId;
        }

        static Optional<Action> of(String word) {
            for (Action a : values()) {
                if (a.name().equalsIgnoreCase(word)) {
                    return Optional.of(a);
                }
            }
            return Optional.empty();
        }
    }

    /** The API could not be asked, or refused; the message says what to do. */
    static final class Unreachable extends Exception {
        Unreachable(String message) {
            super(message);
        }
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final PrintStream out;
    private final PrintStream err;
    private final ObjectMapper json = new ObjectMapper();

    QueueCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Runs one action; returns the exit code. */
    int run(ServerConfig config, Action action, Optional<String> id) {
        try {
            URI base = base(config);
            String token = token(config);
            running(config);
            return switch (action) {
                case LIST -> list(call(base, token, "GET", "/api/queue"));
                case SHOW -> show(call(base, token, "GET", "/api/queue/" + id.orElseThrow()));
                case HOLD -> done(call(base, token, "POST", "/api/queue/" + id.orElseThrow() + "/hold"), id.get() + ": held");
                case RELEASE -> done(call(base, token, "POST", "/api/queue/" + id.orElseThrow() + "/release"),
                        id.get() + ": released");
                case DELETE -> done(call(base, token, "DELETE", "/api/queue/" + id.orElseThrow()), id.get() + ": deleted");
                case FLUSH -> {
                    JsonNode r = call(base, token, "POST", "/api/queue/flush");
                    out.println(r.get("flushed").asInt() + " deferred mail(s) will be tried again now");
                    yield Launcher.OK;
                }
            };
        } catch (Unreachable e) {
            err.println("postlet queue " + action.name().toLowerCase(java.util.Locale.ROOT) + ": " + e.getMessage());
            return Launcher.INVALID;
        }
    }

    private int list(JsonNode queue) {
        for (JsonNode m : queue.get("mails")) {
            List<String> recipients = new ArrayList<>();
            m.get("recipients").forEach(r -> recipients.add(r.asText()));
            String sender = m.get("sender").asText();
            String error = m.get("lastError").asText();
            out.println(String.join("  ", m.get("id").asText(), age(m.get("ageSeconds").asLong()),
                    Long.toString(m.get("size").asLong()), sender.isEmpty() ? "<>" : sender, String.join(",", recipients),
                    m.get("state").asText()) + (error.isEmpty() ? "" : "  " + error.replaceAll("\\s+", " ")));
        }
        err.println(queue.get("total").asInt() + " mail(s) in the queue: " + queue.get("deferred").asInt() + " deferred, "
                + queue.get("held").asInt() + " held");
        return Launcher.OK;
    }

    private int show(JsonNode m) {
        field("id", m.get("id").asText());
        field("state", m.get("state").asText());
        field("arrived", m.get("arrived").asText() + " (" + age(m.get("ageSeconds").asLong()) + " ago)");
        field("size", m.get("size").asLong() + " bytes");
        field("sender", m.get("sender").asText().isEmpty() ? "<>" : m.get("sender").asText());
        m.get("originalRecipients").forEach(r -> {
            boolean toDo = false;
            for (JsonNode left : m.get("recipients")) {
                toDo |= left.asText().equals(r.asText());
            }
            field("recipient", r.asText() + (toDo ? " (to do)" : " (done)"));
        });
        field("origin", m.get("origin").asText());
        if (m.get("attempts").asInt() > 0) {
            field("attempts", m.get("attempts").asInt() + ", failing since " + m.get("firstFailure").asText());
            field("next attempt", m.get("nextAttempt").asText());
            field("last error", m.get("lastError").asText());
        }
        if (!m.path("processor").isNull()) {
            field("processor", m.path("processor").asText());
        }
        m.path("attributes").fields().forEachRemaining(a -> field("attribute", a.getKey() + " = " + a.getValue().asText()));
        if (m.path("headers").isNull()) {
            out.println("(this queue cannot show the message without taking it)");
        } else {
            out.println();
            out.print(m.path("headers").asText().replace("\r\n", "\n"));
        }
        return Launcher.OK;
    }

    private void field(String name, String value) {
        out.println(name + ": " + value);
    }

    private int done(JsonNode answer, String message) {
        out.println(message);
        return Launcher.OK;
    }

    /** {@code 2d3h}, {@code 5m12s}: the two largest units, as an operator reads an age. */
    static String age(long seconds) {
        long d = seconds / 86400;
        long h = seconds % 86400 / 3600;
        long m = seconds % 3600 / 60;
        long s = seconds % 60;
        if (d > 0) {
            return d + "d" + h + "h";
        }
        if (h > 0) {
            return h + "h" + m + "m";
        }
        return m > 0 ? m + "m" + s + "s" : s + "s";
    }

    /** Where the server's API listens, as a client on this machine reaches it. */
    static URI base(ServerConfig config) throws Unreachable {
        if (config.metricsHttp().isEmpty()) {
            throw new Unreachable("the admin API is off in " + config.file() + ": it is served on the metrics listener —"
                    + " set metrics: { http: 127.0.0.1:9025 } and restart the server");
        }
        MetricsAddress a = MetricsAddress.parse(config.metricsHttp().get());
        String host = switch (a.host()) {
            case "", "0.0.0.0" -> "127.0.0.1"; // every interface: loopback is one of them
            case "::" -> "[::1]";
            default -> a.host().contains(":") ? "[" + a.host() + "]" : a.host();
        };
        return URI.create("http://" + host + ":" + a.port());
    }

    private static String token(ServerConfig config) throws Unreachable {
        AdminToken token = new AdminToken(config.adminToken());
        try {
            return token.read().orElseThrow(() -> new Unreachable("no admin token in " + config.adminToken()
                    + " (missing, or shorter than 16 characters) — create it: "
                    + AdminToken.HOW_TO_CREATE.replace("FILE", config.adminToken().toString())));
        } catch (AccessDeniedException e) {
            throw new Unreachable("cannot read the admin token " + config.adminToken() + ": permission denied for user "
                    + System.getProperty("user.name") + " — run it as the user the server runs as");
        } catch (IOException e) {
            throw new Unreachable("cannot read the admin token " + config.adminToken() + ": " + e.getMessage());
        }
    }

    private static void running(ServerConfig config) throws Unreachable {
        Path pidFile = config.spool().resolve(PidFile.NAME);
        try {
            if (PidFile.running(pidFile).isEmpty()) {
                throw new Unreachable("no server is running with this configuration (no live process in " + pidFile
                        + ") — start it with bin/postlet run; the queue commands act on the running server");
            }
        } catch (IOException e) {
            throw new Unreachable("cannot tell whether the server runs: " + pidFile + ": " + e.getMessage());
        }
    }

    private JsonNode call(URI base, String token, String method, String path) throws Unreachable {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("User-Agent", "postlet-queue (user " + System.getProperty("user.name") + ")")
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new Unreachable("the server is not answering on " + base + " (connection refused) — is metrics.http the"
                    + " address it was started with? A changed postlet.yaml takes effect at restart");
        } catch (IOException e) {
            throw new Unreachable("cannot reach the server on " + base + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted");
        }
        JsonNode body;
        try {
            body = json.readTree(response.body());
        } catch (IOException e) {
            throw new Unreachable("the server on " + base + " answered " + response.statusCode() + " with what is not JSON;"
                    + " is metrics.http a Postlet server?");
        }
        if (response.statusCode() == 401) {
            throw new Unreachable("the server refused the token of " + "admin.token"
                    + " — the server and this command must read the same file (check --conf)");
        }
        if (response.statusCode() != 200) {
            throw new Unreachable(body.path("error").asText("the server answered " + response.statusCode()));
        }
        return body;
    }
}
