package org.postlet.server.launch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.time.Duration;
import org.postlet.server.PidFile;
import org.postlet.server.admin.AdminToken;
import org.postlet.server.config.ServerConfig;
import org.postlet.server.metrics.MetricsAddress;

/**
 * The running server's admin API as {@code bin/postlet queue} and {@code bin/postlet repository}
 * reach it: the address from {@code metrics.http}, the token from {@code admin.token}, and the
 * server's pid file to tell "not running" apart from "not reachable".
 */
final class AdminClient {

    /** The API could not be asked, or refused; the message says what to do. */
    static final class Unreachable extends Exception {
        Unreachable(String message) {
            super(message);
        }
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    private AdminClient(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    /**
     * A client of the server running with {@code config}.
     *
     * @throws Unreachable if the API is off, the token cannot be read, or no server runs
     */
    static AdminClient of(ServerConfig config) throws Unreachable {
        AdminClient client = new AdminClient(base(config), token(config));
        running(config);
        return client;
    }

    /** A path segment, escaped, for names and ids an operator typed. */
    static String segment(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
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
        try {
            return new AdminToken(config.adminToken()).read().orElseThrow(() -> new Unreachable("no admin token in "
                    + config.adminToken() + " (missing, or shorter than 16 characters) — create it: "
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
                        + ") — start it with bin/postlet run; this command acts on the running server");
            }
        } catch (IOException e) {
            throw new Unreachable("cannot tell whether the server runs: " + pidFile + ": " + e.getMessage());
        }
    }

    /**
     * One request; the JSON answer when it is 200.
     *
     * @throws Unreachable with the server's own error message otherwise
     */
    JsonNode call(String method, String path) throws Unreachable {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("User-Agent", "bin/postlet (user " + System.getProperty("user.name") + ")")
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
            throw new Unreachable("the server refused the token of admin.token — the server and this command must read"
                    + " the same file (check --conf)");
        }
        if (response.statusCode() != 200) {
            throw new Unreachable(body.path("error").asText("the server answered " + response.statusCode()));
        }
        return body;
    }
}
