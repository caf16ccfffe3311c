package org.postlet.server.launch;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.postlet.server.config.ServerConfig;

/**
 * {@code bin/postlet repository list [NAME] | show|requeue|delete NAME ID}: the mails the
 * pipeline's {@code ToRepository} steps kept (e.g. {@code var/error}), through the running
 * server's admin API, as {@code queue} does for the queue.
 */
final class RepositoryCommand {

    /** What the command can do, and how many words follow it. */
    enum Action {
        LIST(0, 1), SHOW(2, 2), REQUEUE(2, 2), DELETE(2, 2);

        final int fewest;
        final int most;

        Action(int fewest, int most) {
            this.fewest = fewest;
            this.most = most;
        }
    }

    private final PrintStream out;
    private final PrintStream err;

    RepositoryCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Runs one action with its words (a repository name, then a mail id); returns the exit code. */
    int run(ServerConfig config, Action action, List<String> words) {
        try {
            AdminClient api = AdminClient.of(config);
            String repository = words.isEmpty() ? "" : "/api/repositories/" + AdminClient.segment(words.get(0));
            String mail = words.size() < 2 ? "" : repository + "/" + AdminClient.segment(words.get(1));
            switch (action) {
                case LIST -> {
                    if (words.isEmpty()) {
                        for (JsonNode r : api.call("GET", "/api/repositories").get("repositories")) {
                            out.println(r.get("name").asText() + "  " + r.get("mails").asInt() + "  " + r.get("folder").asText());
                        }
                    } else {
                        listMails(api.call("GET", repository));
                    }
                }
                case SHOW -> show(api.call("GET", mail));
                case REQUEUE -> out.println(words.get(0) + "/" + words.get(1) + ": requeued as "
                        + api.call("POST", mail + "/requeue").get("id").asText());
                case DELETE -> {
                    api.call("DELETE", mail);
                    out.println(words.get(0) + "/" + words.get(1) + ": deleted");
                }
            }
            return Launcher.OK;
        } catch (AdminClient.Unreachable e) {
            err.println("postlet repository " + action.name().toLowerCase(Locale.ROOT) + ": " + e.getMessage());
            return Launcher.INVALID;
        }
    }

    private void listMails(JsonNode repository) {
        Instant now = Instant.now();
        JsonNode mails = repository.get("mails");
        for (JsonNode m : mails) {
            String error = m.get("error").asText();
            long age = Math.max(0, Duration.between(Instant.parse(m.get("kept").asText()), now).toSeconds());
            out.println(String.join("  ", m.get("id").asText(), QueueCommand.age(age), Long.toString(m.get("size").asLong()),
                    QueueCommand.sender(m), QueueCommand.joined(m.get("recipients")))
                    + (error.isEmpty() ? "" : "  " + error.replaceAll("\\s+", " ")));
        }
        err.println(mails.size() + " mail(s) in " + repository.get("folder").asText());
    }

    private void show(JsonNode answer) {
        JsonNode m = answer.get("mail");
        QueueCommand.field(out, "id", m.get("id").asText());
        QueueCommand.field(out, "kept", m.get("kept").asText());
        QueueCommand.field(out, "size", m.get("size").asLong() + " bytes");
        QueueCommand.field(out, "sender", QueueCommand.sender(m));
        m.get("recipients").forEach(r -> QueueCommand.field(out, "recipient", r.asText()));
        if (!m.get("error").asText().isEmpty()) {
            QueueCommand.field(out, "error", m.get("error").asText());
        }
        m.path("attributes").fields().forEachRemaining(a -> QueueCommand.field(out, "attribute",
                a.getKey() + " = " + a.getValue().asText()));
        out.println();
        out.print(answer.path("headers").asText().replace("\r\n", "\n"));
    }
}
