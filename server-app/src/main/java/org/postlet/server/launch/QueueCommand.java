package org.postlet.server.launch;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.postlet.server.config.ServerConfig;

/**
 * {@code bin/postlet queue list|show|hold|release|delete|flush}: a client of the running server's
 * admin API ({@link AdminClient}), so it acts on whatever queue the server uses.
 */
final class QueueCommand {

    /** What the command can do; each is one request to the API. */
    enum Action {
        LIST(false), SHOW(true), HOLD(true), RELEASE(true), DELETE(true), FLUSH(false);

        final boolean needsId;

        Action(boolean needsId) {
            this.needsId = needsId;
        }
    }

    private final PrintStream out;
    private final PrintStream err;

    QueueCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Runs one action; returns the exit code. */
    int run(ServerConfig config, Action action, Optional<String> id) {
        try {
            AdminClient api = AdminClient.of(config);
            String mail = id.map(i -> "/api/queue/" + AdminClient.segment(i)).orElse("");
            switch (action) {
                case LIST -> list(api.call("GET", "/api/queue"));
                case SHOW -> show(api.call("GET", mail));
                case HOLD -> done(api.call("POST", mail + "/hold"), id.orElseThrow() + ": held");
                case RELEASE -> done(api.call("POST", mail + "/release"), id.orElseThrow() + ": released");
                case DELETE -> done(api.call("DELETE", mail), id.orElseThrow() + ": deleted");
                case FLUSH -> out.println(api.call("POST", "/api/queue/flush").get("flushed").asInt()
                        + " deferred mail(s) will be tried again now");
            }
            return Launcher.OK;
        } catch (AdminClient.Unreachable e) {
            err.println("postlet queue " + action.name().toLowerCase(Locale.ROOT) + ": " + e.getMessage());
            return Launcher.INVALID;
        }
    }

    private void list(JsonNode queue) {
        for (JsonNode m : queue.get("mails")) {
            String error = m.get("lastError").asText();
            out.println(String.join("  ", m.get("id").asText(), age(m.get("ageSeconds").asLong()),
                    Long.toString(m.get("size").asLong()), sender(m), joined(m.get("recipients")), m.get("state").asText())
                    + (error.isEmpty() ? "" : "  " + error.replaceAll("\\s+", " ")));
        }
        err.println(queue.get("total").asInt() + " mail(s) in the queue: " + queue.get("deferred").asInt() + " deferred, "
                + queue.get("held").asInt() + " held");
    }

    private void show(JsonNode m) {
        field(out, "id", m.get("id").asText());
        field(out, "state", m.get("state").asText());
        field(out, "arrived", m.get("arrived").asText() + " (" + age(m.get("ageSeconds").asLong()) + " ago)");
        field(out, "size", m.get("size").asLong() + " bytes");
        field(out, "sender", sender(m));
        m.get("originalRecipients").forEach(r -> {
            boolean toDo = false;
            for (JsonNode left : m.get("recipients")) {
                toDo |= left.asText().equals(r.asText());
            }
            field(out, "recipient", r.asText() + (toDo ? " (to do)" : " (done)"));
        });
        field(out, "origin", m.get("origin").asText());
        if (m.get("attempts").asInt() > 0) {
            field(out, "attempts", m.get("attempts").asInt() + ", failing since " + m.get("firstFailure").asText());
            field(out, "next attempt", m.get("nextAttempt").asText());
            field(out, "last error", m.get("lastError").asText());
        }
        if (!m.path("processor").isNull()) {
            field(out, "processor", m.path("processor").asText());
        }
        m.path("attributes").fields().forEachRemaining(a -> field(out, "attribute", a.getKey() + " = " + a.getValue().asText()));
        if (m.path("headers").isNull()) {
            out.println("(this queue cannot show the message without taking it)");
        } else {
            out.println();
            out.print(m.path("headers").asText().replace("\r\n", "\n"));
        }
    }

    private void done(JsonNode answer, String message) {
        out.println(message);
    }

    /** The envelope sender as Postfix shows it: {@code <>} for the null sender. */
    static String sender(JsonNode mail) {
        String sender = mail.get("sender").asText();
        return sender.isEmpty() ? "<>" : sender;
    }

    /** A JSON list of strings as {@code a,b,c}. */
    static String joined(JsonNode list) {
        List<String> items = new ArrayList<>();
        list.forEach(r -> items.add(r.asText()));
        return String.join(",", items);
    }

    static void field(PrintStream out, String name, String value) {
        out.println(name + ": " + value);
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
}
