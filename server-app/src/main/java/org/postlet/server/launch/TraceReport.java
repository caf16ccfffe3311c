package org.postlet.server.launch;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.ProcessingState;
import org.postlet.server.pipeline.PipelineTrace;

/** Collects what {@code bin/postlet trace} prints: for each recipient, the steps it went through and where it ended. */
final class TraceReport implements PipelineTrace {

    private final Map<MailAddress, List<String>> paths = new LinkedHashMap<>();

    TraceReport(List<MailAddress> recipients) {
        recipients.forEach(r -> paths.put(r, new ArrayList<>()));
    }

    @Override
    public void stepRan(String mail, ProcessingState processor, int index, String matcher, String mailet,
                        Set<MailAddress> recipients, ProcessingState stateAfter, Exception failure) {
        String line = processor + "[" + index + "] " + matcher + " -> " + mailet
                + (failure == null ? "" : " FAILED: " + failure.getMessage())
                + (stateAfter.equals(processor) ? "" : " => " + stateAfter);
        recipients.forEach(r -> paths.computeIfAbsent(r, k -> new ArrayList<>()).add(line));
    }

    @Override
    public void ended(String mail, Set<MailAddress> recipients, ProcessingState lastState, boolean deferred) {
        String line = deferred ? "deferred in " + lastState + " (would be retried later)" : "ended in " + lastState;
        recipients.forEach(r -> paths.computeIfAbsent(r, k -> new ArrayList<>()).add(line));
    }

    void print(PrintStream out) {
        paths.forEach((recipient, steps) -> {
            out.println(recipient + ":");
            if (steps.isEmpty()) {
                out.println("  (no step ran for this recipient)");
            }
            steps.forEach(s -> out.println("  " + s));
        });
    }
}
