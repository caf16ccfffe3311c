package org.postlet.mailets.spam;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A client of rspamd's normal worker: {@code POST /checkv2} with the message as the body and the
 * envelope in request headers, and the JSON reply read into an {@link Answer}. Shared by the
 * {@link Rspamd} mailet, which asks after the message was queued, and the SMTP server's check at
 * the end of DATA, which asks before the reply; both must send rspamd the same facts.
 */
public final class RspamdClient {

    /** What to write when a URL is wrong. */
    public static final String URL_EXAMPLE = "http://127.0.0.1:11333";

    private final URI check;
    private final Duration timeout;
    private final HttpClient client;

    private RspamdClient(URI check, Duration timeout) {
        this.check = check;
        this.timeout = timeout;
        // HTTP/1.1: rspamd does not speak HTTP/2, and an h2c upgrade offer on a POST confuses it.
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    /**
     * A client of the worker at {@code url}.
     *
     * @param url     the worker's base URL, e.g. {@code http://127.0.0.1:11333}; {@code /checkv2} is appended
     * @param timeout how long to wait for a connection, and then for the verdict
     * @throws IllegalArgumentException saying why when {@code url} is not an http or https URL
     */
    public static RspamdClient of(String url, Duration timeout) {
        return new RspamdClient(checkUri(url), timeout);
    }

    /**
     * The {@code /checkv2} URI under {@code url}.
     *
     * @throws IllegalArgumentException with a message such as {@code 'x' is not an http URL}
     */
    public static URI checkUri(String url) {
        String base = url.strip();
        URI check;
        try {
            check = URI.create(base.endsWith("/") ? base + "checkv2" : base + "/checkv2");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + base + "' is not a URL", e);
        }
        if (!"http".equals(check.getScheme()) && !"https".equals(check.getScheme())) {
            throw new IllegalArgumentException("'" + base + "' is not an http URL");
        }
        return check;
    }

    /** The URI asked, for messages. */
    public URI uri() {
        return check;
    }

    /**
     * Asks and waits for the verdict.
     *
     * @throws BadStatus   when rspamd answered with another status than 200
     * @throws IOException when rspamd could not be reached, did not answer in time or answered badly
     */
    public Answer ask(Query query, byte[] message) throws IOException, InterruptedException {
        return read(client.send(request(query, message), HttpResponse.BodyHandlers.ofByteArray()));
    }

    /**
     * Asks without blocking a thread; the future completes on the HTTP client's threads.
     *
     * @return the verdict, or a failure with the {@link IOException} {@link #ask} would have thrown
     */
    public CompletableFuture<Answer> askAsync(Query query, byte[] message) {
        HttpRequest request;
        try {
            request = request(query, message);
        } catch (IllegalArgumentException e) { // a header value the HTTP client refuses, e.g. with a line break
            return CompletableFuture.failedFuture(new IOException("cannot send the envelope to rspamd: " + e.getMessage(), e));
        }
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
            try {
                return read(response);
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        });
    }

    private HttpRequest request(Query query, byte[] message) {
        HttpRequest.Builder request = HttpRequest.newBuilder(check).timeout(timeout)
                .header("IP", query.ip())
                .header("Helo", query.helo())
                .header("From", query.from());
        query.hostname().ifPresent(h -> request.header("Hostname", h));
        query.queueId().ifPresent(id -> request.header("Queue-Id", id));
        for (String r : query.recipients()) {
            request.header("Rcpt", r);
        }
        query.user().ifPresent(u -> request.header("User", u));
        return request.POST(HttpRequest.BodyPublishers.ofByteArray(message)).build();
    }

    private Answer read(HttpResponse<byte[]> response) throws IOException {
        if (response.statusCode() != 200) {
            throw new BadStatus("rspamd at " + check + " answered HTTP " + response.statusCode());
        }
        return Answer.parse(response.body());
    }

    /**
     * The envelope, as rspamd's request headers.
     *
     * @param ip         the SMTP client's address ({@code IP})
     * @param helo       the name it gave in HELO or EHLO ({@code Helo})
     * @param hostname   its resolved host name, if known ({@code Hostname})
     * @param from       the envelope sender, empty for the null sender ({@code From})
     * @param recipients the envelope recipients ({@code Rcpt}, one header each)
     * @param user       the SMTP AUTH identity, if any ({@code User}; rspamd then skips checks meant for strangers)
     * @param queueId    the message's id here, if it has one yet, for rspamd's log ({@code Queue-Id})
     */
    public record Query(String ip, String helo, Optional<String> hostname, String from, List<String> recipients,
                        Optional<String> user, Optional<String> queueId) {
        public Query {
            recipients = List.copyOf(recipients);
        }
    }

    /** rspamd answered with an HTTP status other than 200. */
    public static final class BadStatus extends IOException {
        private static final long serialVersionUID = 1L;

        BadStatus(String message) {
            super(message);
        }
    }

    /**
     * rspamd's answer to {@code /checkv2}.
     *
     * @param score         the message's score
     * @param requiredScore the score at which rspamd would reject
     * @param action        {@code no action}, {@code greylist}, {@code add header}, {@code rewrite subject},
     *                      {@code soft reject} or {@code reject}
     * @param symbols       the names of the rules that matched, sorted
     */
    public record Answer(double score, double requiredScore, String action, List<String> symbols) {

        private static final JsonFactory JSON = new JsonFactory();

        public Answer {
            symbols = List.copyOf(symbols);
        }

        /** Whether rspamd considers the message spam: any action but no action and greylist. */
        public boolean spam() {
            return !action.equals("no action") && !action.equals("greylist");
        }

        /** Reads the top-level fields of the reply; the rest is skipped. */
        static Answer parse(byte[] json) throws IOException {
            double score = 0;
            double required = 0;
            String action = null;
            List<String> symbols = new ArrayList<>();
            try (JsonParser p = JSON.createParser(json)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new IOException("rspamd's reply is not a JSON object");
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    switch (field) {
                        case "score" -> score = p.getValueAsDouble();
                        case "required_score" -> required = p.getValueAsDouble();
                        case "action" -> action = p.getValueAsString();
                        case "symbols" -> {
                            if (value == JsonToken.START_OBJECT) {
                                while (p.nextToken() == JsonToken.FIELD_NAME) {
                                    symbols.add(p.currentName());
                                    p.nextToken();
                                    p.skipChildren();
                                }
                            }
                        }
                        default -> p.skipChildren();
                    }
                }
            }
            if (action == null) {
                throw new IOException("rspamd's reply has no action");
            }
            return new Answer(score, required, action, symbols.stream().sorted().toList());
        }
    }
}
