package org.postlet.server.spool;

import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.postlet.mailet.MailAddress;

/**
 * What is left of a deferred mail: the recipients still to do, how often it failed, since when,
 * and why. Kept in the spool beside the message so a restart resumes where it stopped.
 *
 * @param remaining    the recipients not yet done
 * @param attempts     how many attempts failed temporarily
 * @param firstFailure when the first one failed
 * @param nextAttempt  when to try again
 * @param reason       the last failure
 */
public record RetryState(List<MailAddress> remaining, int attempts, Instant firstFailure, Instant nextAttempt,
                         String reason) {

    public RetryState {
        remaining = List.copyOf(remaining);
    }

    String format() {
        StringBuilder b = new StringBuilder();
        b.append("attempts: ").append(attempts).append('\n');
        b.append("first-failure: ").append(firstFailure).append('\n');
        b.append("next-attempt: ").append(nextAttempt).append('\n');
        b.append("reason: ").append(URLEncoder.encode(reason, StandardCharsets.UTF_8)).append('\n');
        for (MailAddress r : remaining) {
            b.append("remaining: ").append(URLEncoder.encode(r.toString(), StandardCharsets.UTF_8)).append('\n');
        }
        return b.toString();
    }

    static RetryState read(Path file) throws IOException {
        int attempts = 0;
        Instant first = Instant.EPOCH;
        Instant next = Instant.EPOCH;
        String reason = "";
        List<MailAddress> remaining = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int colon = line.indexOf(": ");
                if (colon < 0) {
                    continue;
                }
                String value = URLDecoder.decode(line.substring(colon + 2), StandardCharsets.UTF_8);
                switch (line.substring(0, colon)) {
                    case "attempts" -> attempts = Integer.parseInt(value);
                    case "first-failure" -> first = Instant.parse(value);
                    case "next-attempt" -> next = Instant.parse(value);
                    case "reason" -> reason = value;
                    case "remaining" -> remaining.add(MailAddress.parse(value));
                    default -> { }
                }
            }
        } catch (RuntimeException e) {
            throw new IOException(file + ": malformed retry record: " + e.getMessage(), e);
        }
        return new RetryState(remaining, attempts, first, next, reason);
    }
}
