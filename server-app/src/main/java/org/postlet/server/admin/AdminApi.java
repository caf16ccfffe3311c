package org.postlet.server.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.postlet.mailet.MailAddress;
import org.postlet.queue.Deferral;
import org.postlet.queue.MailEnvelope;
import org.postlet.queue.MailQueue;
import org.postlet.queue.Origin;
import org.postlet.queue.QueueSize;
import org.postlet.queue.QueueState;
import org.postlet.queue.QueuedMailDetail;
import org.postlet.queue.QueuedMailSummary;
import org.postlet.mailet.ProcessingState;
import org.postlet.server.config.ConfigProblem;
import org.postlet.server.config.InvalidConfigException;
import org.postlet.server.pipeline.PipelineView;
import org.postlet.server.processing.RecentOutcomes;
import org.postlet.server.repository.Repositories;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API under {@code /api/} (docs/operations.md lists every endpoint): JSON in answers,
 * nothing in requests but the path, and every request carries {@code Authorization: Bearer <token>}
 * of {@link AdminToken}. It acts on the queue only through {@link MailQueue}, so it works the same
 * whatever holds the queue. Every change is logged with the client that asked for it; the token
 * itself is never logged.
 */
public final class AdminApi {

    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    static final String JSON = "application/json; charset=utf-8";

    /**
     * A request, as the HTTP endpoint hands it over.
     *
     * @param method        GET, POST, DELETE...
     * @param path          the decoded path, without the query
     * @param parameters    the query's parameters, decoded
     * @param authorization the {@code Authorization} header, or null
     * @param client        the client's address, for the log
     * @param userAgent     the {@code User-Agent} header, or null, for the log
     */
    public record Request(String method, String path, Map<String, List<String>> parameters, String authorization,
                          String client, String userAgent) {
        public Request {
            parameters = Map.copyOf(parameters);
        }

        /** The first value of a query parameter. */
        Optional<String> parameter(String name) {
            List<String> values = parameters.get(name);
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
        }
    }

    /**
     * An answer.
     *
     * @param status  the HTTP status
     * @param body    JSON
     * @param headers extra headers, e.g. {@code WWW-Authenticate}
     */
    public record Response(int status, byte[] body, Map<String, String> headers) {
        /** The content type of every answer. */
        public String contentType() {
            return JSON;
        }
    }

    /** What the API steers besides the queue: the running pipeline and its reload. */
    public interface Server {
        /** The running pipeline with its counters. */
        PipelineView pipeline();

        /** Reloads the pipeline file; the problems if it was refused, else empty. */
        List<ConfigProblem> reloadPipeline();
    }

    /** One queued mail as the API shows it; times are ISO-8601 UTC, absent ones null. */
    record QueueEntry(String id, Instant arrived, long ageSeconds, long size, String sender, List<String> recipients,
                      List<String> originalRecipients, String state, int attempts, Instant firstFailure, Instant nextAttempt,
                      String lastError, String origin) {
    }

    private final AdminToken token;
    private final MailQueue queue;
    private final Server server;
    private final Repositories repositories;
    private final RecentOutcomes recent;
    private final Clock clock;
    private final ObjectMapper json;

    public AdminApi(AdminToken token, MailQueue queue, Server server, Repositories repositories, RecentOutcomes recent,
                    Clock clock) {
        this.token = token;
        this.queue = queue;
        this.server = server;
        this.repositories = repositories;
        this.recent = recent;
        this.clock = clock;
        this.json = new ObjectMapper().registerModule(new SimpleModule().addSerializer(Instant.class, ToStringSerializer.instance));
    }

    /** Answers one request; never throws. */
    public Response handle(Request request) {
        AdminToken.Verdict verdict = token.check(request.authorization());
        switch (verdict.access()) {
            case OFF -> {
                return error(404, verdict.problem());
            }
            case DENIED -> {
                LOG.warn("admin API: refused {} {} from {}: {} bearer token", request.method(), request.path(), request.client(),
                        request.authorization() == null ? "no" : "a wrong");
                Response r = error(401, "give the token of the admin.token file: Authorization: Bearer <token>");
                return new Response(r.status(), r.body(), Map.of("WWW-Authenticate", "Bearer realm=\"postlet\""));
            }
            default -> {
            }
        }
        try {
            return route(request);
        } catch (IOException | InvalidConfigException | RuntimeException e) {
            LOG.warn("admin API: {} {} failed", request.method(), request.path(), e);
            return error(500, request.method() + " " + request.path() + " failed: " + e.getMessage());
        }
    }

    private Response route(Request r) throws IOException, InvalidConfigException {
        String[] p = r.path().replaceAll("/+$", "").split("/");
        // p[0] is "" and p[1] is "api"
        String what = p.length > 2 ? p[2] : "";
        String m = r.method();
        switch (what) {
            case "queue" -> {
                if (p.length == 3) {
                    return m.equals("GET") ? queueList(r) : notAllowed(m, r.path(), "GET");
                }
                if (p.length == 4 && p[3].equals("flush")) {
                    return m.equals("POST") ? flush(r) : notAllowed(m, r.path(), "POST");
                }
                if (p.length == 4) {
                    return switch (m) {
                        case "GET" -> queueShow(p[3]);
                        case "DELETE" -> queueDelete(r, p[3]);
                        default -> notAllowed(m, r.path(), "GET, DELETE");
                    };
                }
                if (p.length == 5 && (p[4].equals("hold") || p[4].equals("release"))) {
                    return m.equals("POST") ? holdOrRelease(r, p[3], p[4].equals("hold")) : notAllowed(m, r.path(), "POST");
                }
            }
            case "repositories" -> {
                if (p.length == 3) {
                    return m.equals("GET") ? repositoryList() : notAllowed(m, r.path(), "GET");
                }
                Optional<Repositories.Repository> repository = repositories.find(p[3]);
                if (repository.isEmpty()) {
                    return error(404, "no repository '" + p[3] + "'; GET /api/repositories lists them");
                }
                if (p.length == 4) {
                    return m.equals("GET") ? ok(Map.of("name", repository.get().name(), "folder",
                            repository.get().folder().toString(), "mails", repositories.mails(repository.get())))
                            : notAllowed(m, r.path(), "GET");
                }
                if (p.length == 5) {
                    return switch (m) {
                        case "GET" -> keptShow(repository.get(), p[4]);
                        case "DELETE" -> keptDelete(r, repository.get(), p[4]);
                        default -> notAllowed(m, r.path(), "GET, DELETE");
                    };
                }
                if (p.length == 6 && p[5].equals("requeue")) {
                    return m.equals("POST") ? requeue(r, repository.get(), p[4]) : notAllowed(m, r.path(), "POST");
                }
            }
            case "pipeline" -> {
                if (p.length == 3) {
                    return m.equals("GET") ? ok(server.pipeline()) : notAllowed(m, r.path(), "GET");
                }
            }
            case "reload" -> {
                if (p.length == 3) {
                    return m.equals("POST") ? reload(r) : notAllowed(m, r.path(), "POST");
                }
            }
            case "recent" -> {
                if (p.length == 3) {
                    return m.equals("GET") ? ok(Map.of("outcomes", recent.latest())) : notAllowed(m, r.path(), "GET");
                }
            }
            default -> {
            }
        }
        return error(404, "no endpoint " + r.path() + "; the endpoints are /api/queue, /api/queue/ID, /api/queue/ID/hold,"
                + " /api/queue/ID/release, /api/queue/flush, /api/repositories, /api/repositories/NAME,"
                + " /api/repositories/NAME/ID, /api/repositories/NAME/ID/requeue, /api/pipeline, /api/reload and /api/recent");
    }

    /**
     * The queue, oldest first; {@code ?state=deferred} (or {@code active}, {@code held}) keeps one
     * state, {@code ?limit=N} the first N, so a console need not fetch a queue of a million mails.
     */
    private Response queueList(Request r) throws IOException {
        Optional<QueueState> state;
        long limit;
        try {
            state = r.parameter("state").map(s -> QueueState.valueOf(s.toUpperCase(java.util.Locale.ROOT)));
            limit = r.parameter("limit").map(Long::parseLong).orElse(Long.MAX_VALUE);
        } catch (IllegalArgumentException e) {
            return error(400, "state is active, deferred or held, and limit a number: " + e.getMessage());
        }
        Instant now = clock.instant();
        List<QueueEntry> mails = queue.browse().stream().filter(m -> state.isEmpty() || m.state() == state.get())
                .limit(Math.max(0, limit)).map(m -> entry(m, now)).toList();
        QueueSize size = queue.size();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("mails", mails);
        body.put("total", size.mails());
        body.put("deferred", size.deferred());
        body.put("held", size.held());
        body.put("oldest", size.oldest().orElse(null));
        return ok(body);
    }

    /** A mail as the list shows it, plus its processor, attributes and message header where the queue can tell. */
    private Response queueShow(String id) throws IOException {
        Optional<QueuedMailDetail> mail = queue.inspect(id);
        if (mail.isEmpty()) {
            return noSuchMail(id);
        }
        QueuedMailDetail d = mail.get();
        @SuppressWarnings("unchecked")
        Map<String, Object> body = json.convertValue(entry(d.summary(), clock.instant()), LinkedHashMap.class);
        body.put("processor", d.state().map(ProcessingState::name).orElse(null));
        Map<String, String> attributes = new LinkedHashMap<>();
        d.attributes().forEach((name, value) -> attributes.put(name, String.valueOf(value)));
        body.put("attributes", attributes);
        String header = null;
        if (d.content().isPresent()) {
            try {
                header = d.content().get().header(Repositories.MAX_HEADER_BYTES);
            } catch (IOException e) {
                // e.g. the mail was delivered and its file removed while we looked: show the rest
                LOG.debug("admin API: cannot read the message of {}: {}", id, e.toString());
            }
        }
        body.put("headers", header);
        return ok(body);
    }

    private Response holdOrRelease(Request r, String id, boolean hold) throws IOException {
        boolean done = hold ? queue.hold(id) : queue.unhold(id);
        if (!done) {
            return hold || queue.find(id).isEmpty() ? noSuchMail(id)
                    : error(409, "mail " + id + " is not held; only a held mail can be released");
        }
        LOG.info("admin API: queue mail {} {} by {} ({})", id, hold ? "held" : "released", r.client(), agent(r));
        return ok(queue.find(id).map(m -> (Object) entry(m, clock.instant())).orElse(Map.of("id", id)));
    }

    private Response queueDelete(Request r, String id) throws IOException {
        Optional<QueuedMailSummary> mail = queue.find(id);
        if (mail.isEmpty()) {
            return noSuchMail(id);
        }
        if (!queue.remove(id)) {
            return queue.find(id).isEmpty() ? noSuchMail(id)
                    : error(409, "mail " + id + " is being processed right now; hold it, then delete it");
        }
        QueuedMailSummary m = mail.get();
        LOG.warn("admin API: queue mail {} deleted by {} ({}): from {} to {}, {} bytes, {}", id, r.client(), agent(r),
                sender(m.envelope()), m.recipients(), m.size(), m.state());
        return ok(Map.of("deleted", id));
    }

    private Response flush(Request r) throws IOException {
        int n = queue.flush();
        LOG.info("admin API: flush by {} ({}): {} deferred mail(s) due now", r.client(), agent(r), n);
        return ok(Map.of("flushed", n));
    }

    private Response repositoryList() throws IOException, InvalidConfigException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Repositories.Repository repository : repositories.list()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("name", repository.name());
            one.put("folder", repository.folder().toString());
            one.put("mails", repositories.count(repository));
            out.add(one);
        }
        return ok(Map.of("repositories", out));
    }

    private Response keptShow(Repositories.Repository repository, String id) throws IOException {
        Optional<Repositories.KeptMail> mail = repositories.mail(repository, id);
        if (mail.isEmpty()) {
            return error(404, "no mail " + id + " in repository " + repository.name());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("mail", mail.get());
        body.put("headers", repositories.headers(repository, id).orElse(""));
        return ok(body);
    }

    private Response keptDelete(Request r, Repositories.Repository repository, String id) throws IOException {
        Optional<Repositories.KeptMail> mail = repositories.mail(repository, id);
        if (mail.isEmpty() || !repositories.delete(repository, id)) {
            return error(404, "no mail " + id + " in repository " + repository.name());
        }
        LOG.warn("admin API: mail {} deleted from repository {} by {} ({}): from {} to {}", id, repository.name(), r.client(),
                agent(r), mail.get().sender(), mail.get().recipients());
        return ok(Map.of("deleted", id));
    }

    private Response requeue(Request r, Repositories.Repository repository, String id) {
        try {
            Optional<String> queued = repositories.requeue(repository, id, queue);
            if (queued.isEmpty()) {
                return error(404, "no mail " + id + " in repository " + repository.name());
            }
            LOG.info("admin API: mail {} of repository {} requeued as {} by {} ({})", id, repository.name(), queued.get(),
                    r.client(), agent(r));
            return ok(Map.of("requeued", id, "id", queued.get()));
        } catch (Repositories.RequeueException e) {
            return error(409, e.getMessage());
        }
    }

    private Response reload(Request r) {
        LOG.info("admin API: reload asked by {} ({})", r.client(), agent(r));
        List<ConfigProblem> problems = server.reloadPipeline();
        if (problems.isEmpty()) {
            return ok(Map.of("reloaded", true));
        }
        return new Response(422, bytes(Map.of("reloaded", false, "problems", problems.stream().map(ConfigProblem::toString)
                .toList())), Map.of());
    }

    private QueueEntry entry(QueuedMailSummary m, Instant now) {
        Optional<Deferral> d = m.deferral();
        return new QueueEntry(m.id(), m.arrived(), Math.max(0, Duration.between(m.arrived(), now).toSeconds()), m.size(),
                sender(m.envelope()), m.recipients().stream().map(MailAddress::toString).toList(),
                m.envelope().recipients().stream().map(MailAddress::toString).toList(),
                m.state().name().toLowerCase(java.util.Locale.ROOT), d.map(Deferral::attempts).orElse(0),
                d.map(Deferral::firstFailure).orElse(null), d.map(Deferral::nextAttempt).orElse(null),
                d.map(Deferral::reason).orElse(""), origin(m.envelope().origin()));
    }

    private static String sender(MailEnvelope envelope) {
        return envelope.sender().map(MailAddress::toString).orElse("");
    }

    /** Where a mail came from, in words. */
    static String origin(Origin origin) {
        if (origin instanceof Origin.SmtpSession s) {
            return "smtp " + s.listener() + " from " + s.clientAddress() + " (HELO " + s.heloName() + ")"
                    + s.authenticatedUser().map(u -> ", user " + u).orElse("") + s.tls().map(t -> ", " + t).orElse("");
        } else if (origin instanceof Origin.Generated g) {
            return "generated: " + g.cause();
        } else if (origin instanceof Origin.Requeued q) {
            return "requeued from " + q.repository();
        } else if (origin instanceof Origin.Trace t) {
            return "trace of " + t.file();
        }
        return origin.toString();
    }

    private static String agent(Request r) {
        return r.userAgent() == null ? "no user agent" : r.userAgent();
    }

    private Response noSuchMail(String id) {
        return error(404, "no mail " + id + " in the queue (delivered, deleted, or never there); GET /api/queue lists them");
    }

    private Response notAllowed(String method, String path, String allowed) {
        Response r = error(405, "method " + method + " not allowed on " + path + "; use " + allowed);
        return new Response(405, r.body(), Map.of("Allow", allowed));
    }

    private Response ok(Object body) {
        return new Response(200, bytes(body), Map.of());
    }

    private Response error(int status, String message) {
        return new Response(status, bytes(Map.of("error", message)), Map.of());
    }

    private byte[] bytes(Object body) {
        try {
            return (json.writeValueAsString(body) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the answer as JSON: " + e.getMessage(), e);
        }
    }
}
