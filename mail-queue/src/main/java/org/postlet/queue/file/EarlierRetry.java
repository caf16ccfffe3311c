package org.postlet.queue.file;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.postlet.mailet.MailAddress;
import org.postlet.queue.Deferral;

/**
 * A retry record of the earlier spool layout ({@code retry/<id>}: {@code name: value} lines), read
 * once when that layout is imported into the log.
 *
 * @param remaining the recipients not yet done
 * @param deferral  the temporary failures so far
 */
record EarlierRetry(List<MailAddress> remaining, Deferral deferral) {

    static EarlierRetry read(Path file) throws IOException {
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
        return new EarlierRetry(List.copyOf(remaining), new Deferral(attempts, first, next, reason));
    }
}
