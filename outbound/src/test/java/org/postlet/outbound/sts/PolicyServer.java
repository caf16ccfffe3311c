package org.postlet.outbound.sts;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;

/** An HTTPS server on loopback serving one MTA-STS policy, which the test can change, and counting its fetches. */
public final class PolicyServer implements AutoCloseable {

    /** What the server answers. */
    public record Answer(int status, String contentType, String body, boolean chunked) {
        public Answer(int status, String contentType, String body) {
            this(status, contentType, body, false);
        }

        public static Answer policy(String body) {
            return new Answer(200, "text/plain", body);
        }
    }

    private final HttpsServer server;
    private final AtomicReference<Answer> answer;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    public PolicyServer(SSLContext context, Answer first) throws IOException {
        answer = new AtomicReference<>(first);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        server.createContext("/", exchange -> {
            requests.add(exchange.getRequestURI().getPath() + " Host=" + exchange.getRequestHeaders().getFirst("Host"));
            Answer a = answer.get();
            byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
            if (a.contentType() != null) {
                exchange.getResponseHeaders().set("Content-Type", a.contentType());
            }
            if (a.status() / 100 == 3) {
                exchange.getResponseHeaders().set("Location", "https://elsewhere.test/");
            }
            exchange.sendResponseHeaders(a.status(), a.chunked() ? 0 : body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public void answer(Answer a) {
        answer.set(a);
    }

    /** The requests so far: path and Host header. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
